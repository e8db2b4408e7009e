/** ZooKeeper request opcodes, named as in ZooDefs.OpCode (reference §4). */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

/** One of the opcode values. */
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Special xids (reference §3.2). */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Watch event types (reference §3.5). */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

/** One of the event type values. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Keeper states (reference §3.5). */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

/** One of the keeper state values. */
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** WatcherType for checkWatches/removeWatches (reference §3.5); 4 and 5 are 3.9+ only. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;

/** addWatch modes (reference §5.4). */
export const AddWatchMode = {
  Persistent: 0,
  PersistentRecursive: 1,
} as const;

/** CreateMode flag values (reference §5.3). */
export const CreateFlags = {
  Persistent: 0,
  Ephemeral: 1,
  PersistentSequential: 2,
  EphemeralSequential: 3,
  Container: 4,
  PersistentWithTtl: 5,
  PersistentSequentialWithTtl: 6,
} as const;

/** Permission bits (reference §5.2). */
export const Perms = {
  Read: 1,
  Write: 2,
  Create: 4,
  Delete: 8,
  Admin: 16,
  All: 31,
} as const;

/** Short names of opcodes as the `cons` four-letter word prints them (`lop=`, reference §9.2). */
export const opShortName: Readonly<Record<number, string>> = {
  [OpCode.ping]: 'PING',
  [OpCode.createSession]: 'SESS',
  [OpCode.create]: 'CREA',
  [OpCode.create2]: 'CREA',
  [OpCode.createContainer]: 'CREA',
  [OpCode.createTTL]: 'CREA',
  [OpCode.delete]: 'DELE',
  [OpCode.deleteContainer]: 'DELE',
  [OpCode.setData]: 'SETD',
  [OpCode.setACL]: 'SETA',
  [OpCode.getData]: 'GETD',
  [OpCode.getChildren]: 'GETC',
  [OpCode.getChildren2]: 'GETC',
  [OpCode.getACL]: 'GETA',
  [OpCode.getAllChildrenNumber]: 'GETACN',
  [OpCode.getEphemerals]: 'GETE',
  [OpCode.exists]: 'EXIS',
  [OpCode.sync]: 'SYNC',
  [OpCode.check]: 'CHEC',
  [OpCode.multi]: 'MULT',
  [OpCode.multiRead]: 'MLTR',
  [OpCode.reconfig]: 'RECO',
  [OpCode.closeSession]: 'CLOS',
  [OpCode.setWatches]: 'SETW',
  [OpCode.setWatches2]: 'STW2',
  [OpCode.addWatch]: 'ADDW',
  [OpCode.checkWatches]: 'CHKW',
  [OpCode.removeWatches]: 'REMW',
  [OpCode.whoAmI]: 'HOMI',
};
