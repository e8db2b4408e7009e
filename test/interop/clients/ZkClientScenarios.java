import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * Interop scenarios for Apache ZooKeeper's own Java client (zookeeper.jar 3.8).
 *
 * <p>Usage: java ZkClientScenarios HOST:PORT SCENARIO. Prints one JSON object of outcomes on stdout,
 * with zxids, times and session ids reduced to facts, so that the interop test can compare what
 * Apache ZooKeeper 3.8 and Corral give for the same scenario.
 */
public final class ZkClientScenarios {
  private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

  private final String hostPort;
  private final ZooKeeper zk;
  private final List<String> defaultEvents = Collections.synchronizedList(new ArrayList<>());

  private ZkClientScenarios(String hostPort) throws Exception {
    this.hostPort = hostPort;
    this.zk = ScenarioSupport.connect(hostPort, 10_000, event -> {
      if (event.getType() != Watcher.Event.EventType.None) defaultEvents.add(describe(event.getType(), event.getPath()));
    });
  }

  public static void main(String[] args) throws Exception {
    ZkClientScenarios s = new ZkClientScenarios(args[0]);
    try {
      ScenarioSupport.print(s.run(args[1]));
    } finally {
      s.zk.close();
    }
    System.exit(0);
  }

  private Object run(String scenario) throws Exception {
    switch (scenario) {
      case "create-modes": return createModes();
      case "watchers": return watchers();
      case "multi": return multi();
      case "ephemerals-and-counts": return ephemeralsAndCounts();
      case "persistent-watches": return persistentWatches();
      case "whoami-and-acls": return whoAmIAndAcls();
      case "sessions-and-limits": return sessionsAndLimits();
      case "multi-edges": return multiEdges();
      default: throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  private static String describe(Watcher.Event.EventType type, String path) {
    return type + " " + path;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Map<String, Object> stat(Stat s) {
    return ScenarioSupport.stat(s, zk.getSessionId());
  }

  private Object createModes() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    zk.create("/j-modes", null, OPEN, CreateMode.PERSISTENT);
    for (CreateMode mode : new CreateMode[] {CreateMode.PERSISTENT, CreateMode.EPHEMERAL,
        CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL, CreateMode.CONTAINER}) {
      Stat created = new Stat();
      String path = zk.create("/j-modes/" + mode.name().toLowerCase() + "-", bytes("d"), OPEN, mode, created);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", path);
      m.put("create2Stat", stat(created));
      m.put("getStat", stat(zk.exists(path, false)));
      r.put(mode.name(), m);
    }
    r.put("ttlWithoutExtendedTypes", ScenarioSupport.outcome(
        () -> zk.create("/j-modes/ttl", null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 10_000)));
    r.put("childOfEphemeral", ScenarioSupport.outcome(
        () -> zk.create("/j-modes/ephemeral-/x", null, OPEN, CreateMode.PERSISTENT)));
    r.put("emptyAcl", ScenarioSupport.outcome(
        () -> zk.create("/j-modes/noacl", null, new ArrayList<>(), CreateMode.PERSISTENT)));
    r.put("authAclWithoutAuth", ScenarioSupport.outcome(
        () -> zk.create("/j-modes/creator", null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT)));
    r.put("children", ScenarioSupport.sorted(zk.getChildren("/j-modes", false)));
    r.put("parent", stat(zk.exists("/j-modes", false)));
    return r;
  }

  private Object watchers() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    Watcher mine = event -> events.add("mine " + describe(event.getType(), event.getPath()));
    zk.create("/j-w", bytes("0"), OPEN, CreateMode.PERSISTENT);
    zk.create("/j-w/del", null, OPEN, CreateMode.PERSISTENT);
    Stat got = new Stat();
    r.put("getData", new String(zk.getData("/j-w", mine, got), StandardCharsets.UTF_8));
    zk.getData("/j-w", true, null);
    r.put("existsMissing", zk.exists("/j-w/new", mine));
    zk.getChildren("/j-w", mine);
    zk.exists("/j-w/del", true);
    zk.getData("/j-w/del", mine, null);
    zk.setData("/j-w", bytes("1"), 0);
    zk.create("/j-w/new", null, OPEN, CreateMode.PERSISTENT);
    zk.delete("/j-w/del", 0);
    ScenarioSupport.waitFor("5 events", () -> events.size() + defaultEvents.size() >= 6);
    zk.getData("/j-w", mine, null);
    zk.removeWatches("/j-w", mine, Watcher.WatcherType.Data, false);
    r.put("removeAgain", ScenarioSupport.outcome(() -> {
      zk.removeWatches("/j-w", mine, Watcher.WatcherType.Data, false);
      return "removed";
    }));
    zk.setData("/j-w", bytes("2"), -1);
    zk.sync("/j-w", (rc, path, ctx) -> events.add("sync " + rc), null);
    ScenarioSupport.waitFor("sync", () -> events.stream().anyMatch(e -> e.startsWith("sync")));
    List<String> sortedMine = new ArrayList<>(events);
    Collections.sort(sortedMine);
    r.put("watcherEvents", sortedMine);
    List<String> sortedDefault = new ArrayList<>(defaultEvents);
    Collections.sort(sortedDefault);
    r.put("defaultWatcherEvents", sortedDefault);
    return r;
  }

  private Object opResults(List<OpResult> results) {
    List<Object> out = new ArrayList<>();
    for (OpResult result : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("class", result.getClass().getSimpleName());
      if (result instanceof OpResult.CreateResult) {
        m.put("path", ((OpResult.CreateResult) result).getPath());
        m.put("stat", stat(((OpResult.CreateResult) result).getStat()));
      } else if (result instanceof OpResult.SetDataResult) {
        m.put("stat", stat(((OpResult.SetDataResult) result).getStat()));
      } else if (result instanceof OpResult.ErrorResult) {
        m.put("err", KeeperException.Code.get(((OpResult.ErrorResult) result).getErr()).name());
      } else if (result instanceof OpResult.GetDataResult) {
        m.put("data", new String(((OpResult.GetDataResult) result).getData(), StandardCharsets.UTF_8));
        m.put("stat", stat(((OpResult.GetDataResult) result).getStat()));
      } else if (result instanceof OpResult.GetChildrenResult) {
        m.put("children", ScenarioSupport.sorted(((OpResult.GetChildrenResult) result).getChildren()));
      }
      out.add(m);
    }
    return out;
  }

  private Object failedMulti(List<Op> ops) throws Exception {
    try {
      return opResults(zk.multi(ops));
    } catch (KeeperException e) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("error", e.code().name());
      m.put("results", opResults(e.getResults()));
      return m;
    }
  }

  private Object multi() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    zk.create("/j-multi", bytes("root"), OPEN, CreateMode.PERSISTENT);
    zk.create("/j-multi/old", null, OPEN, CreateMode.PERSISTENT);
    r.put("committed", opResults(zk.multi(Arrays.asList(
        Op.create("/j-multi/a", bytes("a"), OPEN, CreateMode.PERSISTENT),
        Op.create("/j-multi/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
        Op.create("/j-multi/e", null, OPEN, CreateMode.EPHEMERAL),
        Op.setData("/j-multi", bytes("r2"), 0),
        Op.check("/j-multi/old", 0),
        Op.delete("/j-multi/old", -1)))));
    r.put("failed", failedMulti(Arrays.asList(
        Op.create("/j-multi/b", null, OPEN, CreateMode.PERSISTENT),
        Op.check("/j-multi/a", 3),
        Op.delete("/j-multi/a", -1))));
    r.put("failedOnMissingParent", failedMulti(Arrays.asList(
        Op.setData("/j-multi/a", bytes("x"), -1),
        Op.create("/j-multi/none/child", null, OPEN, CreateMode.PERSISTENT))));
    r.put("reads", opResults(zk.multi(Arrays.asList(
        Op.getData("/j-multi/a"),
        Op.getChildren("/j-multi"),
        Op.getData("/j-multi/missing")))));
    List<OpResult> viaTransaction = zk.transaction()
        .create("/j-multi/t", null, OPEN, CreateMode.PERSISTENT)
        .setData("/j-multi/t", bytes("tx"), 0)
        .delete("/j-multi/a", 0)
        .commit();
    r.put("transaction", opResults(viaTransaction));
    r.put("empty", opResults(zk.multi(new ArrayList<>())));
    r.put("children", ScenarioSupport.sorted(zk.getChildren("/j-multi", false)));
    return r;
  }

  private Object ephemeralsAndCounts() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    zk.create("/j-eph", null, OPEN, CreateMode.PERSISTENT);
    zk.create("/j-eph/p", null, OPEN, CreateMode.PERSISTENT);
    zk.create("/j-eph/p/a", null, OPEN, CreateMode.EPHEMERAL);
    zk.create("/j-eph/p/b-", null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
    zk.create("/j-eph/q", null, OPEN, CreateMode.EPHEMERAL);
    zk.create("/j-eph/pq", null, OPEN, CreateMode.EPHEMERAL);
    ZooKeeper other = ScenarioSupport.connect(hostPort, 10_000, null);
    try {
      other.create("/j-eph/theirs", null, OPEN, CreateMode.EPHEMERAL);
      r.put("all", ScenarioSupport.sorted(zk.getEphemerals()));
      r.put("prefixDir", ScenarioSupport.sorted(zk.getEphemerals("/j-eph/p/b")));
      r.put("prefixString", ScenarioSupport.sorted(zk.getEphemerals("/j-eph/p")));
      r.put("prefixRoot", ScenarioSupport.sorted(zk.getEphemerals("/")));
      r.put("prefixNone", ScenarioSupport.sorted(zk.getEphemerals("/nothing")));
      r.put("theirs", ScenarioSupport.sorted(other.getEphemerals()));
    } finally {
      other.close();
    }
    // The other session's close was another client's write: sync before reading it.
    ScenarioSupport.sync(zk, "/j-eph");
    r.put("countTree", zk.getAllChildrenNumber("/j-eph"));
    r.put("countLeaf", zk.getAllChildrenNumber("/j-eph/q"));
    r.put("countZookeeper", zk.getAllChildrenNumber("/zookeeper"));
    r.put("countMissing", ScenarioSupport.outcome(() -> zk.getAllChildrenNumber("/j-eph/missing")));
    return r;
  }

  private Object persistentWatches() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    List<String> recursive = Collections.synchronizedList(new ArrayList<>());
    List<String> persistent = Collections.synchronizedList(new ArrayList<>());
    zk.addWatch("/j-pr", e -> recursive.add(describe(e.getType(), e.getPath())), AddWatchMode.PERSISTENT_RECURSIVE);
    Watcher pw = e -> persistent.add(describe(e.getType(), e.getPath()));
    zk.addWatch("/j-pp", pw, AddWatchMode.PERSISTENT);
    zk.create("/j-pr", null, OPEN, CreateMode.PERSISTENT);
    zk.create("/j-pr/a", null, OPEN, CreateMode.PERSISTENT);
    zk.create("/j-pr/a/b", null, OPEN, CreateMode.PERSISTENT);
    zk.setData("/j-pr/a/b", bytes("x"), -1);
    zk.getChildren("/j-pr", false);
    zk.delete("/j-pr/a/b", -1);
    zk.create("/j-pp", null, OPEN, CreateMode.PERSISTENT);
    zk.create("/j-pp/c", null, OPEN, CreateMode.PERSISTENT);
    zk.setData("/j-pp", bytes("y"), -1);
    zk.setData("/j-pp/c", bytes("z"), -1);
    zk.setData("/j-pp", bytes("w"), -1);
    zk.delete("/j-pp/c", -1);
    zk.create("/j-pr/end", null, OPEN, CreateMode.PERSISTENT);
    ScenarioSupport.waitFor("the end marker", () -> recursive.contains("NodeCreated /j-pr/end"));
    zk.removeWatches("/j-pp", pw, Watcher.WatcherType.Any, false);
    zk.delete("/j-pp", -1);
    zk.create("/j-pr/end2", null, OPEN, CreateMode.PERSISTENT);
    ScenarioSupport.waitFor("the second end marker", () -> recursive.contains("NodeCreated /j-pr/end2"));
    r.put("recursive", new ArrayList<>(recursive));
    r.put("persistent", new ArrayList<>(persistent));
    r.put("removeMissing", ScenarioSupport.outcome(() -> {
      zk.removeWatches("/j-nowatch", pw, Watcher.WatcherType.Any, false);
      return "removed";
    }));
    return r;
  }

  private static List<String> clientInfo(List<ClientInfo> infos) {
    List<String> out = new ArrayList<>();
    for (ClientInfo info : infos) out.add(info.getAuthScheme() + ":" + info.getUser());
    return out;
  }

  private Object whoAmIAndAcls() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("whoAmI", clientInfo(zk.whoAmI()));
    zk.addAuthInfo("digest", bytes("bob:secret"));
    r.put("whoAmIAfterAuth", clientInfo(zk.whoAmI()));
    String digest = DigestAuthenticationProvider.generateDigest("bob:secret");
    List<ACL> bobOnly = Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("digest", digest)));
    zk.create("/j-acl", bytes("s"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
    Stat aclStat = new Stat();
    List<ACL> acls = zk.getACL("/j-acl", aclStat);
    r.put("creatorAcl", acls.get(0).getPerms() + " " + acls.get(0).getId().getScheme() + " " + acls.get(0).getId().getId().equals(digest));
    r.put("setAclStale", ScenarioSupport.outcome(() -> stat(zk.setACL("/j-acl", bobOnly, 3))));
    r.put("setAcl", stat(zk.setACL("/j-acl", bobOnly, 0)));
    ZooKeeper anon = ScenarioSupport.connect(hostPort, 10_000, null);
    try {
      r.put("anonGet", ScenarioSupport.outcome(() -> anon.getData("/j-acl", false, null)));
      r.put("anonExists", stat(anon.exists("/j-acl", false)) != null);
      r.put("anonGetAcl", ScenarioSupport.outcome(() -> anon.getACL("/j-acl", new Stat()).size()));
      r.put("anonDelete", ScenarioSupport.outcome(() -> {
        anon.delete("/j-acl", -1);
        return "deleted";
      }));
      r.put("anonWhoAmI", clientInfo(anon.whoAmI()));
    } finally {
      anon.close();
    }
    return r;
  }

  private static Object sessionState(String hostPort, long id, byte[] password) throws Exception {
    List<String> states = Collections.synchronizedList(new ArrayList<>());
    ZooKeeper zk = new ZooKeeper(ScenarioSupport.member(hostPort), 10_000, e -> states.add(e.getState().name()), id, password);
    try {
      ScenarioSupport.waitFor("a session state", () -> !states.isEmpty());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("state", states.get(0));
      m.put("sameSession", zk.getSessionId() == id);
      return m;
    } finally {
      zk.close();
    }
  }

  private Object sessionsAndLimits() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    ZooKeeper low = ScenarioSupport.connect(hostPort, 1_000, null);
    ZooKeeper high = ScenarioSupport.connect(hostPort, 100_000, null);
    r.put("negotiatedLow", low.getSessionTimeout());
    r.put("negotiatedHigh", high.getSessionTimeout());
    low.close();
    high.close();
    ZooKeeper victim = ScenarioSupport.connect(hostPort, 10_000, null);
    victim.create("/j-session-victim", null, OPEN, CreateMode.EPHEMERAL);
    // The reattached handle owns the same session, so closing it ends the session and its ephemerals.
    r.put("reattach", sessionState(hostPort, victim.getSessionId(), victim.getSessionPasswd()));
    r.put("victimEphemeralAfterClose", zk.exists("/j-session-victim", false) != null);
    victim.close();
    zk.create("/j-session", null, OPEN, CreateMode.EPHEMERAL);
    byte[] wrong = zk.getSessionPasswd().clone();
    wrong[0] ^= 1;
    r.put("wrongPassword", sessionState(hostPort, zk.getSessionId(), wrong));
    // ZooKeeper drops the session's live connection before it checks the password, so the first
    // request after that may fail with ConnectionLoss while the handle reconnects.
    r.put("ephemeralKept", existsAfterReconnect("/j-session"));
    r.put("rootAcl", aclStrings(zk.getACL("/", new Stat())));
    r.put("configAcl", aclStrings(zk.getACL("/zookeeper/config", new Stat())));
    r.put("almostMaxData", zk.create("/j-big", new byte[1_000_000], OPEN, CreateMode.PERSISTENT));
    r.put("overMaxData", ScenarioSupport.outcome(() -> zk.create("/j-huge", new byte[1_100_000], OPEN, CreateMode.PERSISTENT)));
    r.put("hugeExists", existsAfterReconnect("/j-huge"));
    r.put("bigLength", zk.exists("/j-big", false).getDataLength());
    return r;
  }

  private boolean existsAfterReconnect(String path) throws Exception {
    long deadline = System.currentTimeMillis() + ScenarioSupport.WAIT_MS;
    for (;;) {
      try {
        return zk.exists(path, false) != null;
      } catch (KeeperException.ConnectionLossException e) {
        if (System.currentTimeMillis() > deadline) throw e;
        Thread.sleep(50);
      }
    }
  }

  private static List<String> aclStrings(List<ACL> acls) {
    List<String> out = new ArrayList<>();
    for (ACL acl : acls) out.add(acl.getPerms() + " " + acl.getId().getScheme() + ":" + acl.getId().getId());
    return out;
  }

  private Object multiEdges() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    zk.create("/j-me", null, OPEN, CreateMode.PERSISTENT);
    r.put("duplicateCreate", failedMulti(Arrays.asList(
        Op.create("/j-me/x", null, OPEN, CreateMode.PERSISTENT),
        Op.create("/j-me/x", null, OPEN, CreateMode.PERSISTENT))));
    r.put("createThenCheckAndSet", opResults(zk.multi(Arrays.asList(
        Op.create("/j-me/y", null, OPEN, CreateMode.PERSISTENT),
        Op.check("/j-me/y", 0),
        Op.setData("/j-me/y", bytes("1"), 0),
        Op.check("/j-me/y", 1),
        Op.create("/j-me/y/child", null, OPEN, CreateMode.EPHEMERAL)))));
    r.put("deleteThenCreate", opResults(zk.multi(Arrays.asList(
        Op.delete("/j-me/y/child", -1),
        Op.delete("/j-me/y", 1),
        Op.create("/j-me/y", bytes("again"), OPEN, CreateMode.PERSISTENT)))));
    r.put("childOfEphemeralInMulti", failedMulti(Arrays.asList(
        Op.create("/j-me/e", null, OPEN, CreateMode.EPHEMERAL),
        Op.create("/j-me/e/c", null, OPEN, CreateMode.PERSISTENT))));
    r.put("deleteNotEmptyInMulti", failedMulti(Arrays.asList(
        Op.create("/j-me/z", null, OPEN, CreateMode.PERSISTENT),
        Op.create("/j-me/z/c", null, OPEN, CreateMode.PERSISTENT),
        Op.delete("/j-me/z", -1))));
    r.put("sequentialTwice", opResults(zk.multi(Arrays.asList(
        Op.create("/j-me/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
        Op.create("/j-me/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)))));
    r.put("children", ScenarioSupport.sorted(zk.getChildren("/j-me", false)));
    r.put("parent", stat(zk.exists("/j-me", false)));
    return r;
  }
}
