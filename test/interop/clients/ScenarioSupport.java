import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Helpers shared by the Java interop scenarios (ZkClientScenarios, CuratorScenarios): bounded
 * waits, connecting a plain ZooKeeper handle, reducing Stats and errors to facts two servers must
 * agree on, and printing one JSON object on stdout.
 */
final class ScenarioSupport {
  /** Every wait in a scenario is bounded by this. */
  static final long WAIT_MS = 20_000;

  private ScenarioSupport() {}

  /** Something a scenario does that may throw a KeeperException. */
  interface Action {
    Object run() throws Exception;
  }

  /** The action's value, or {"error": CODE_NAME} when it throws a KeeperException. */
  static Object outcome(Action action) throws Exception {
    try {
      return action.run();
    } catch (KeeperException e) {
      return error(e.code());
    }
  }

  /** An error outcome as JSON. */
  static Map<String, Object> error(KeeperException.Code code) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", code.name());
    return m;
  }

  /** Polls cond until it holds, or throws after WAIT_MS. */
  static void waitFor(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private static final AtomicInteger NEXT_MEMBER = new AtomicInteger();

  /**
   * The server a new handle connects to: with one host, that host; with several (an ensemble),
   * the next one in turn, so the handles of a scenario sit on different members.
   */
  static String member(String hostPort) {
    String[] hosts = hostPort.split(",");
    return hosts[NEXT_MEMBER.getAndIncrement() % hosts.length];
  }

  /** Waits for zk.sync(path): this handle's server has caught up with the leader (ensembles). */
  static void sync(ZooKeeper zk, String path) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    zk.sync(path, (rc, p, ctx) -> done.countDown(), null);
    if (!done.await(WAIT_MS, TimeUnit.MILLISECONDS)) throw new IllegalStateException("sync of " + path + " timed out");
  }

  /** A plain ZooKeeper handle, connected; `watcher` also gets the default watcher's events. */
  static ZooKeeper connect(String hostPort, int sessionTimeoutMs, Watcher watcher) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(member(hostPort), sessionTimeoutMs, event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
      if (watcher != null) watcher.process(event);
    });
    if (!connected.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
      zk.close();
      throw new IllegalStateException("no connection to " + hostPort);
    }
    return zk;
  }

  /** What ephemeralOwner says: "none", "this session", "other session", or the raw hex value. */
  static String owner(long ephemeralOwner, long sessionId) {
    if (ephemeralOwner == 0) return "none";
    if (ephemeralOwner == sessionId) return "this session";
    return "0x" + Long.toHexString(ephemeralOwner);
  }

  /** The Stat fields two servers must agree on for the same history (no zxids or times). */
  static Map<String, Object> stat(Stat s, long sessionId) {
    if (s == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", s.getVersion());
    m.put("cversion", s.getCversion());
    m.put("aversion", s.getAversion());
    m.put("dataLength", s.getDataLength());
    m.put("numChildren", s.getNumChildren());
    m.put("owner", owner(s.getEphemeralOwner(), sessionId));
    m.put("mzxidIsCzxid", s.getMzxid() == s.getCzxid());
    return m;
  }

  /** A sorted copy of a list of names. */
  static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    copy.sort(null);
    return copy;
  }

  /** Prints the result as one line of JSON on stdout. */
  static void print(Object result) throws Exception {
    ObjectMapper mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    System.out.println(mapper.writeValueAsString(result));
    System.out.flush();
  }
}
