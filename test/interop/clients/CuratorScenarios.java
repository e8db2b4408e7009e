import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.PathChildrenCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.SharedCountReader;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceProvider;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.data.Stat;

/**
 * Interop scenarios for Apache Curator 5.4 recipes (the Debian libcurator-*-java packages).
 *
 * <p>Usage: java CuratorScenarios HOST:PORT SCENARIO. Prints one JSON object of outcomes on stdout
 * so the interop test can compare Apache ZooKeeper 3.8 and Corral. Leader takeover uses the Java
 * latch-member mode (JAVA CuratorScenarios HOST:PORT latch-member ID) runs one LeaderLatch member
 * per process, so that the test can SIGKILL the leader and watch another member take over once the
 * server expires the dead member's session.
 */
public final class CuratorScenarios {
  private final String hostPort;
  private final List<CuratorFramework> clients = new ArrayList<>();

  private CuratorScenarios(String hostPort) {
    this.hostPort = hostPort;
  }

  public static void main(String[] args) throws Exception {
    CuratorScenarios s = new CuratorScenarios(args[0]);
    try {
      if (args[1].equals("latch-member")) {
        s.latchMember(args[2]);
      } else {
        ScenarioSupport.print(s.run(args[1]));
      }
    } finally {
      for (CuratorFramework client : s.clients) client.close();
    }
    System.exit(0);
  }

  private Object run(String scenario) throws Exception {
    switch (scenario) {
      case "mutex": return mutex();
      case "leader-latch": return leaderLatch();
      case "caches": return caches();
      case "discovery": return discovery();
      case "discovery-of-corral": return discoveryOfCorral();
      case "shared-count": return sharedCount();
      default: throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  private CuratorFramework client(int sessionTimeoutMs) throws Exception {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(ScenarioSupport.member(hostPort))
        .sessionTimeoutMs(sessionTimeoutMs)
        .connectionTimeoutMs(10_000)
        .retryPolicy(new ExponentialBackoffRetry(100, 5))
        .build();
    clients.add(client);
    client.start();
    if (!client.blockUntilConnected((int) ScenarioSupport.WAIT_MS, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("curator: no connection to " + hostPort);
    }
    return client;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Object mutex() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    InterProcessMutex first = new InterProcessMutex(client(10_000), "/c-mutex");
    InterProcessMutex second = new InterProcessMutex(client(10_000), "/c-mutex");
    first.acquire();
    r.put("reentrant", first.acquire(1, TimeUnit.SECONDS));
    r.put("secondTimedOut", second.acquire(200, TimeUnit.MILLISECONDS));
    r.put("participantsAfterTimeout", first.getParticipantNodes().size());
    // A mutex belongs to the thread that acquired it, so the waiter also checks and releases it.
    List<Object> got = Collections.synchronizedList(new ArrayList<>());
    Thread waiter = new Thread(() -> {
      try {
        got.add(second.acquire(ScenarioSupport.WAIT_MS, TimeUnit.MILLISECONDS));
        got.add(second.isAcquiredInThisProcess());
        second.release();
      } catch (Exception e) {
        got.add(e.toString());
      }
    });
    waiter.start();
    ScenarioSupport.waitFor("two participants", () -> participants(first) == 2);
    r.put("participantsWhileWaiting", participants(first));
    first.release();
    r.put("stillHeldAfterOneRelease", first.isAcquiredInThisProcess());
    first.release();
    waiter.join(ScenarioSupport.WAIT_MS);
    r.put("secondAcquiredHeldReleased", new ArrayList<>(got));
    // The second client's release: on an ensemble the first client's member applies it a moment later.
    ScenarioSupport.waitFor("the release seen by the first client", () -> participants(first) == 0);
    r.put("participantsAfterRelease", participants(first));
    return r;
  }

  private static int participants(InterProcessMutex mutex) {
    try {
      return mutex.getParticipantNodes().size();
    } catch (Exception e) {
      return -1;
    }
  }

  private Object leaderLatch() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    List<CuratorFramework> members = new ArrayList<>();
    List<LeaderLatch> latches = new ArrayList<>();
    for (String id : new String[] {"p1", "p2", "p3"}) {
      CuratorFramework client = client(10_000);
      LeaderLatch latch = new LeaderLatch(client, "/c-latch", id);
      latch.start();
      members.add(client);
      latches.add(latch);
      int expected = latches.size();
      ScenarioSupport.waitFor("participant " + id, () -> participantCount(latches.get(0)) == expected);
    }
    ScenarioSupport.waitFor("a leader", () -> leaders(latches).size() == 1);
    r.put("leader", leaders(latches));
    r.put("leaderSeenByP3", latches.get(2).getLeader().getId());
    // Each latch reads through its own client (its own ensemble member): wait until p2's has p3's node.
    ScenarioSupport.waitFor("p2 to see every participant", () -> participantCount(latches.get(1)) == 3);
    r.put("participants", participantIds(latches.get(1)));
    // Closing the leader's client (not its latch) ends its session, as a client shutting down does.
    members.get(0).close();
    List<LeaderLatch> rest = latches.subList(1, 3);
    ScenarioSupport.waitFor("a new leader", () -> leaders(rest).size() == 1);
    r.put("leaderAfterClose", leaders(rest));
    ScenarioSupport.waitFor("p3 to see p1 gone", () -> participantCount(latches.get(2)) == 2);
    r.put("participantsAfterClose", participantIds(latches.get(2)));
    for (LeaderLatch latch : rest) latch.close();
    return r;
  }

  /**
   * One LeaderLatch member for the kill test: prints "joined ID", then "leader ID" once it leads,
   * and lives until it is killed (or for at most a minute). The session timeout is ZooKeeper's
   * minimum for tickTime=2000, so a killed leader's session expires within seconds.
   */
  private void latchMember(String id) throws Exception {
    CuratorFramework client = client(4_000);
    LeaderLatch latch = new LeaderLatch(client, "/c-kill-latch", id);
    latch.start();
    ScenarioSupport.waitFor("joining", () -> participantCount(latch) > 0);
    System.out.println("joined " + id);
    System.out.flush();
    if (latch.await(60, TimeUnit.SECONDS)) {
      System.out.println("leader " + id + " participants " + participantCount(latch));
      System.out.flush();
      Thread.sleep(60_000);
    }
  }

  private static List<String> leaders(List<LeaderLatch> latches) {
    List<String> ids = new ArrayList<>();
    for (LeaderLatch latch : latches) if (latch.hasLeadership()) ids.add(latch.getId());
    return ids;
  }

  private static int participantCount(LeaderLatch latch) {
    try {
      return latch.getParticipants().size();
    } catch (Exception e) {
      return -1;
    }
  }

  private static List<String> participantIds(LeaderLatch latch) throws Exception {
    List<String> ids = new ArrayList<>();
    latch.getParticipants().forEach(p -> ids.add(p.getId() + (p.isLeader() ? " (leader)" : "")));
    return ids;
  }

  private static String data(ChildData d) {
    return d.getPath() + "=" + (d.getData() == null ? "null" : new String(d.getData(), StandardCharsets.UTF_8));
  }

  private Object caches() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    CuratorFramework client = client(10_000);
    client.create().creatingParentsIfNeeded().forPath("/c-cache/a", bytes("1"));
    client.create().forPath("/c-cache/b", bytes("2"));
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    CuratorCache cache = CuratorCache.build(client, "/c-cache");
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreates(d -> events.add("created " + data(d)))
        .forChanges((before, after) -> events.add("changed " + data(before) + " -> " + data(after)))
        .forDeletes(d -> events.add("deleted " + data(d)))
        .forInitialized(() -> events.add("initialized"))
        .build());
    List<String> childEvents = Collections.synchronizedList(new ArrayList<>());
    PathChildrenCache children = new PathChildrenCache(client, "/c-cache", true);
    children.getListenable().addListener((c, e) -> {
      if (e.getType() == org.apache.curator.framework.recipes.cache.PathChildrenCacheEvent.Type.INITIALIZED) {
        childEvents.add("INITIALIZED " + e.getInitialData().size());
      } else if (e.getData() != null) {
        childEvents.add(e.getType() + " " + data(e.getData()));
      }
    });
    cache.start();
    children.start(PathChildrenCache.StartMode.POST_INITIALIZED_EVENT);
    ScenarioSupport.waitFor("initialized", () -> events.contains("initialized") && childEvents.size() == 3);
    List<String> initial = new ArrayList<>(events);
    Collections.sort(initial);
    r.put("initial", initial);
    List<String> initialChildren = new ArrayList<>(childEvents);
    Collections.sort(initialChildren);
    r.put("initialChildren", initialChildren);
    events.clear();
    childEvents.clear();
    step(client.create().forPath("/c-cache/c", bytes("3")), events, childEvents, 1, 1);
    step(client.setData().forPath("/c-cache/a", bytes("1b")), events, childEvents, 2, 2);
    step(client.create().forPath("/c-cache/a/deep", bytes("d")), events, childEvents, 3, 2);
    step(client.delete().deletingChildrenIfNeeded().forPath("/c-cache/a"), events, childEvents, 5, 3);
    step(client.setData().forPath("/c-cache", bytes("root")), events, childEvents, 6, 3);
    r.put("events", new ArrayList<>(events));
    r.put("childEvents", new ArrayList<>(childEvents));
    r.put("cacheSize", cache.size());
    r.put("currentChildren", children.getCurrentData().size());
    children.close();
    cache.close();
    return r;
  }

  private static void step(Object ignored, List<String> events, List<String> childEvents, int n, int m)
      throws InterruptedException {
    ScenarioSupport.waitFor(n + " cache events and " + m + " child events",
        () -> events.size() >= n && childEvents.size() >= m);
  }

  /** The payload of the discovery scenario's instances; public so Jackson can read and write it. */
  public static final class Details {
    public String zone;
    public int weight;
  }

  private Object discovery() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    CuratorFramework client = client(10_000);
    Details details = new Details();
    details.zone = "eu-1";
    details.weight = 5;
    ServiceInstance<Details> web1 = ServiceInstance.<Details>builder()
        .name("web").id("web-1").address("127.0.0.1").port(8080).payload(details)
        .registrationTimeUTC(1_700_000_000_000L).uriSpec(new UriSpec("{scheme}://{address}:{port}"))
        .build();
    ServiceInstance<Details> web2 = ServiceInstance.<Details>builder()
        .name("web").id("web-2").address("127.0.0.2").port(8081).registrationTimeUTC(1_700_000_000_000L).build();
    ServiceDiscovery<Details> discovery = ServiceDiscoveryBuilder.builder(Details.class)
        .client(client).basePath("/c-services")
        .serializer(new JsonInstanceSerializer<>(Details.class)).thisInstance(web1).build();
    discovery.start();
    discovery.registerService(web2);
    r.put("names", new ArrayList<>(discovery.queryForNames()));
    List<String> ids = new ArrayList<>();
    for (ServiceInstance<Details> i : discovery.queryForInstances("web")) ids.add(i.getId() + "@" + i.getAddress() + ":" + i.getPort());
    Collections.sort(ids);
    r.put("instances", ids);
    ServiceInstance<Details> one = discovery.queryForInstance("web", "web-1");
    r.put("payloadZone", one.getPayload().zone);
    r.put("uri", one.buildUriSpec());
    Stat stat = new Stat();
    byte[] raw = client.getData().storingStatIn(stat).forPath("/c-services/web/web-1");
    r.put("znodeJson", new String(raw, StandardCharsets.UTF_8));
    r.put("znodeEphemeral", stat.getEphemeralOwner() != 0);
    ServiceProvider<Details> provider = discovery.serviceProviderBuilder().serviceName("web").build();
    provider.start();
    ScenarioSupport.waitFor("provider instances", () -> allInstances(provider).size() == 2);
    r.put("providerHasInstance", provider.getInstance() != null);
    discovery.unregisterService(web2);
    ScenarioSupport.waitFor("provider sees the unregistration", () -> allInstances(provider).size() == 1);
    r.put("afterUnregister", discovery.queryForInstances("web").size());
    provider.close();
    discovery.close();
    r.put("afterClose", client.getChildren().forPath("/c-services/web"));
    return r;
  }

  /**
   * Reads, through Curator's ServiceDiscovery, the instances Corral's ServiceRegistry registered
   * under /corral-services (the test registers them before running this).
   */
  private Object discoveryOfCorral() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    CuratorFramework client = client(10_000);
    ServiceDiscovery<Details> discovery = ServiceDiscoveryBuilder.builder(Details.class)
        .client(client).basePath("/corral-services")
        .serializer(new JsonInstanceSerializer<>(Details.class)).build();
    discovery.start();
    r.put("names", new ArrayList<>(discovery.queryForNames()));
    List<String> instances = new ArrayList<>();
    for (ServiceInstance<Details> i : discovery.queryForInstances("api")) {
      Details d = i.getPayload();
      instances.add(i.getId() + "@" + i.getAddress() + ":" + i.getPort() + " ssl=" + i.getSslPort()
          + " " + i.getServiceType() + " t=" + i.getRegistrationTimeUTC()
          + " payload=" + (d == null ? "null" : d.zone + "/" + d.weight)
          + " uri=" + (i.getUriSpec() == null ? "null" : i.buildUriSpec()));
    }
    Collections.sort(instances);
    r.put("instances", instances);
    discovery.close();
    return r;
  }

  private static Collection<ServiceInstance<Details>> allInstances(ServiceProvider<Details> provider) {
    try {
      return provider.getAllInstances();
    } catch (Exception e) {
      return Collections.emptyList();
    }
  }

  private Object sharedCount() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    SharedCount mine = new SharedCount(client(10_000), "/c-count", 3);
    SharedCount theirs = new SharedCount(client(10_000), "/c-count", 99);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    theirs.addListener(new SharedCountListener() {
      @Override
      public void countHasChanged(SharedCountReader reader, int newCount) {
        seen.add(newCount);
      }

      @Override
      public void stateChanged(CuratorFramework client, ConnectionState state) {}
    });
    mine.start();
    theirs.start();
    r.put("initial", theirs.getCount());
    VersionedValue<Integer> before = mine.getVersionedValue();
    mine.setCount(5);
    r.put("trySetStale", mine.trySetCount(before, 7));
    r.put("trySetCurrent", mine.trySetCount(mine.getVersionedValue(), 7));
    ScenarioSupport.waitFor("the other client sees 7", () -> theirs.getCount() == 7);
    r.put("theirsSeesVersion", theirs.getVersionedValue().getVersion());
    mine.close();
    theirs.close();
    DistributedAtomicLong counter = new DistributedAtomicLong(client(10_000), "/c-atomic", new RetryNTimes(3, 10));
    r.put("increment", atomic(counter.increment()));
    r.put("add", atomic(counter.add(10L)));
    r.put("casHit", atomic(counter.compareAndSet(11L, 20L)));
    r.put("casMiss", atomic(counter.compareAndSet(1L, 2L)));
    r.put("decrement", atomic(counter.decrement()));
    r.put("get", atomic(counter.get()));
    return r;
  }

  private static List<Object> atomic(AtomicValue<Long> v) {
    List<Object> out = new ArrayList<>();
    out.add(v.succeeded());
    out.add(v.preValue());
    out.add(v.postValue());
    return out;
  }
}
