package io.catalogsuite.catalog.cache;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.catalogsuite.common.cluster.ClusterNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every catalog instance's near cache from serving a product older than one a write has answered with, on
 * any instance: once a write's response is sent, no instance returns an older version of that product.
 *
 * <p>Two rules, between every pair of catalog instances (peers, found in Hazelcast's member list):
 *
 * <ol>
 *   <li><b>Leases.</b> An instance serves near-cache hits only while it holds a lease from every peer. It asks each
 *       peer for one every {@link NearCacheConfig#renewMs()}; a lease lasts {@link NearCacheConfig#leaseMs()},
 *       counted from when it <em>asked</em>, so it always ends before the peer believes it does. The grant names
 *       the last invalidation the peer sent it: one it has not received (a lost message) makes it empty its near
 *       cache first.
 *   <li><b>Invalidations are acknowledged.</b> A write (or the outbox relay) answers only after each peer has
 *       removed the older versions from its near cache and said so, or can no longer serve them: its lease from the
 *       writer ran out (the writer waits that long at most: a paused or partitioned instance costs writes one
 *       lease), or it never had one (it does not know the writer yet, so it serves no hit until it asks, and the
 *       grant comes after the invalidation on the same connection), or it left the cluster.
 * </ol>
 *
 * <p>Invalidations are numbered per peer, in the order sent; the event bus keeps them in order between two nodes, and
 * a gap (a message lost when a connection broke) also empties the near cache. So does this member rejoining the
 * cluster after a split. Every field below is touched on this verticle's event loop only; request handlers read the
 * lease through one volatile field, and hand invalidations over as tasks: no lock anywhere.
 */
final class NearCacheCoherence extends VerticleBase implements MembershipListener {
  private static final String LEASE_ADDRESS = "catalog.near-cache.lease.";
  private static final String INVALIDATE_ADDRESS = "catalog.near-cache.invalidate.";
  private static final String FROM = "from";
  /** Added to a peer's lease before a writer counts it as over: clock rates differ a little between hosts. */
  private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final Logger log = LoggerFactory.getLogger(NearCacheCoherence.class);

  private final LocalCaches local;
  private final NearCacheConfig config;
  private final HazelcastInstance hazelcast;
  private final String service;
  private final long leaseNanos;
  private final Counter flushes;
  private final Counter leaseWaits;
  private final Timer invalidations;
  private final Map<String, Peer> peers = new HashMap<>();
  /** Changes handed over by writers and not yet sent, with the writers waiting for them. */
  private Map<Long, Long> pending = new HashMap<>();
  private List<Promise<Void>> pendingWriters = new ArrayList<>();
  private String nodeId;
  private UUID membershipRegistration;
  private UUID lifecycleRegistration;
  private final List<MessageConsumer<Buffer>> consumers = new ArrayList<>();
  private long renewTimer;
  private boolean started;
  /** Until when this instance may serve near-cache hits (System.nanoTime); read by every event loop. */
  private volatile long servableUntil;

  /** A peer: another catalog instance, as seen from here. */
  private static final class Peer {
    final String nodeId;
    // This instance reading: its lease from the peer.
    long leaseUntil;
    long lastSeqReceived;
    boolean asking;
    // This instance writing: the peer's lease from it.
    long lastSeqSent;
    long grantedUntil;
    boolean hasAsked;
    boolean silent;
    /** Invalidations waiting for it to ask for its first lease (it may not know this instance yet). */
    final Set<Promise<Void>> awaitingFirstAsk = new LinkedHashSet<>();
    /** Invalidations waiting for it: released when it leaves the cluster. */
    final Set<Promise<Void>> awaiting = new LinkedHashSet<>();

    Peer(String nodeId) {
      this.nodeId = nodeId;
      long now = System.nanoTime(); // nanoTime has an arbitrary origin: "ended now", rather than 0
      this.leaseUntil = now;
      this.grantedUntil = now;
    }
  }

  NearCacheCoherence(LocalCaches local, NearCacheConfig config, HazelcastInstance hazelcast, String service,
      MeterRegistry metrics) {
    this.local = local;
    this.config = config;
    this.hazelcast = hazelcast;
    this.service = service;
    this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(config.leaseMs());
    this.servableUntil = System.nanoTime(); // no hit before the peers have granted their leases
    this.flushes = Counter.builder("near.cache.flushes")
        .description("Times the near cache was emptied: a missed invalidation, or a rejoin").register(metrics);
    this.leaseWaits = Counter.builder("near.cache.lease.waits")
        .description("Invalidations a peer did not acknowledge: the write waited out that peer's lease")
        .register(metrics);
    this.invalidations = Timer.builder("near.cache.invalidations")
        .description("From a write's invalidation to every peer's acknowledgement (or lease end)")
        .publishPercentileHistogram().register(metrics);
    Gauge.builder("near.cache.servable", () -> servable() ? 1 : 0)
        .description("1 while this instance holds a lease from every peer and serves near-cache hits")
        .register(metrics);
  }

  @Override
  public Future<?> start() {
    nodeId = hazelcast.getCluster().getLocalMember().getAttribute(ClusterNode.VERTX_NODE_ID);
    consumers.add(vertx.eventBus().consumer(LEASE_ADDRESS + nodeId, this::grant));
    consumers.add(vertx.eventBus().consumer(INVALIDATE_ADDRESS + nodeId, this::invalidated));
    Context context = this.context;
    membershipRegistration = hazelcast.getCluster().addMembershipListener(this);
    lifecycleRegistration = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        context.runOnContext(v -> flush("this member rejoined the cluster after a split"));
      }
    });
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).onSuccess(v -> {
      started = true;
      refreshPeers();
      renewTimer = vertx.setPeriodic(config.renewMs(), id -> renew());
    });
  }

  @Override
  public Future<?> stop() {
    started = false;
    servableUntil = System.nanoTime();
    vertx.cancelTimer(renewTimer);
    hazelcast.getCluster().removeMembershipListener(membershipRegistration);
    hazelcast.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
    pendingWriters.forEach(writer -> writer.tryComplete());
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  /** Whether this instance may serve near-cache hits now. Any thread. */
  boolean servable() {
    return System.nanoTime() - servableUntil < 0;
  }

  /**
   * Products changed: {@code versions} maps each id to its version now ({@code TOMBSTONE_VERSION} for a deletion).
   * This instance forgets the older versions at once (its near cache, its lookups in flight); the future completes
   * once no peer can serve them either. Any thread; changes handed over together go out in one message per peer.
   */
  Future<Void> invalidate(Map<Long, Long> versions) {
    versions.forEach(local::invalidate);
    Promise<Void> written = Promise.promise();
    context.runOnContext(v -> {
      if (!started) {
        written.complete(); // stopping: this instance serves nothing any more, and its peers' leases run out
        return;
      }
      boolean first = pending.isEmpty();
      versions.forEach((id, version) -> pending.merge(id, version, Math::max));
      pendingWriters.add(written);
      if (first) {
        context.runOnContext(flushed -> send()); // after the other writers' tasks queued meanwhile
      }
    });
    return written.future();
  }

  /** Sends the pending changes to every peer and completes their writers once every peer is done with them. */
  private void send() {
    Map<Long, Long> changes = pending;
    List<Promise<Void>> writers = pendingWriters;
    pending = new HashMap<>();
    pendingWriters = new ArrayList<>();
    long start = System.nanoTime();
    List<Future<Void>> done = new ArrayList<>();
    for (Peer peer : peers.values()) {
      done.add(deliver(peer, changes));
    }
    Future.join(done).onComplete(all -> {
      invalidations.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      writers.forEach(Promise::tryComplete);
    });
  }

  /** One peer's part of an invalidation: its acknowledgement, or the end of what it could serve without it. */
  private Future<Void> deliver(Peer peer, Map<Long, Long> changes) {
    long seq = ++peer.lastSeqSent;
    Buffer body = Buffer.buffer(12 + 16 * changes.size()).appendLong(seq).appendInt(changes.size());
    changes.forEach((id, version) -> body.appendLong(id).appendLong(version));
    Promise<Void> done = Promise.promise();
    boolean neverAsked = !peer.hasAsked;
    vertx.eventBus().request(INVALIDATE_ADDRESS + peer.nodeId, body,
            new DeliveryOptions().addHeader(FROM, nodeId).setSendTimeout(config.leaseMs() * 2L))
        .onComplete(answer -> {
          if (answer.succeeded()) {
            done.tryComplete();
            if (peer.silent) {
              peer.silent = false;
              log.info("Catalog instance {} acknowledges invalidations again", peer.nodeId);
            }
          } else if (neverAsked && !peer.hasAsked && answer.cause() instanceof ReplyException reply
              && reply.failureType() == ReplyFailure.NO_HANDLERS) {
            done.tryComplete(); // it is not running the protocol yet: it serves no near-cache hit at all
          }
        });
    long now = System.nanoTime();
    long timer = -1;
    if (peer.grantedUntil - now > 0) {
      // It may be serving with a lease from this instance: wait for its answer, or for that lease's end.
      timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(peer.grantedUntil - now + MARGIN_NANOS)),
          id -> {
            if (done.tryComplete()) {
              leaseWaits.increment();
              if (!peer.silent) {
                peer.silent = true;
                log.warn("Catalog instance {} did not acknowledge an invalidation within its lease: writes wait out"
                    + " its lease, and it serves no near-cache hit until it has every invalidation", peer.nodeId);
              }
            }
          });
    } else if (peer.hasAsked) {
      done.tryComplete(); // its lease from this instance ran out: its next one comes after this message
    } else {
      // It has never asked: it may not know this instance yet. Once it asks, it serves nothing until the grant,
      // which follows this message on the same connection.
      peer.awaitingFirstAsk.add(done);
    }
    peer.awaiting.add(done);
    long armed = timer;
    return done.future().onComplete(finished -> {
      peer.awaiting.remove(done);
      peer.awaitingFirstAsk.remove(done);
      if (armed >= 0) {
        vertx.cancelTimer(armed);
      }
    });
  }

  /** A peer asks for a lease: granted, with the number of the last invalidation sent to it. */
  private void grant(Message<Buffer> request) {
    Peer peer = peer(request.headers().get(FROM));
    peer.grantedUntil = System.nanoTime() + leaseNanos;
    peer.hasAsked = true;
    List.copyOf(peer.awaitingFirstAsk).forEach(Promise::tryComplete);
    request.reply(Buffer.buffer(8).appendLong(peer.lastSeqSent));
  }

  /** A peer's invalidation: applied, then acknowledged. A gap in its numbers empties the near cache first. */
  private void invalidated(Message<Buffer> message) {
    Peer peer = peer(message.headers().get(FROM));
    Buffer body = message.body();
    long seq = body.getLong(0);
    if (seq > peer.lastSeqReceived + 1) {
      flush("invalidations " + (peer.lastSeqReceived + 1) + " to " + (seq - 1) + " from " + peer.nodeId
          + " were lost");
    }
    peer.lastSeqReceived = Math.max(peer.lastSeqReceived, seq);
    int count = body.getInt(8);
    for (int i = 0; i < count; i++) {
      local.invalidate(body.getLong(12 + 16 * i), body.getLong(20 + 16 * i));
    }
    message.reply(null);
  }

  /** Asks every peer for a lease, except those already asked and not answered yet. */
  private void renew() {
    for (Peer peer : peers.values()) {
      if (peer.asking) {
        continue;
      }
      peer.asking = true;
      long asked = System.nanoTime();
      vertx.eventBus().<Buffer>request(LEASE_ADDRESS + peer.nodeId, Buffer.buffer(),
              new DeliveryOptions().addHeader(FROM, nodeId).setSendTimeout(config.leaseMs()))
          .onComplete(granted -> {
            peer.asking = false;
            if (granted.succeeded() && peers.get(peer.nodeId) == peer) {
              long lastSent = granted.result().body().getLong(0);
              if (lastSent > peer.lastSeqReceived) {
                flush("invalidations up to " + lastSent + " from " + peer.nodeId + " were lost");
                peer.lastSeqReceived = lastSent;
              }
              peer.leaseUntil = asked + leaseNanos;
              recompute();
            }
          });
    }
    recompute();
  }

  /** The lease is the shortest of the peers' (none: this instance is the only catalog instance). */
  private void recompute() {
    long until = System.nanoTime() + leaseNanos; // valid alone, re-checked every renewal
    for (Peer peer : peers.values()) {
      if (peer.leaseUntil - until < 0) {
        until = peer.leaseUntil;
      }
    }
    servableUntil = started ? until : System.nanoTime();
  }

  private void flush(String why) {
    local.clear();
    flushes.increment();
    log.warn("Near cache emptied: {}", why);
  }

  private Peer peer(String peerNodeId) {
    return peers.computeIfAbsent(peerNodeId, Peer::new); // one not in the member list yet still counts
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    context.runOnContext(v -> refreshPeers());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    context.runOnContext(v -> refreshPeers());
  }

  /** The peers are the other catalog instances in the member list; one that left releases whoever waits on it. */
  private void refreshPeers() {
    if (!started) {
      return;
    }
    Set<String> current = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String peerNodeId = member.getAttribute(ClusterNode.VERTX_NODE_ID);
      if (!member.localMember() && service.equals(member.getAttribute(ClusterNode.SERVICE_ATTRIBUTE))
          && peerNodeId != null) {
        current.add(peerNodeId);
        peer(peerNodeId);
      }
    }
    peers.values().removeIf(peer -> {
      if (current.contains(peer.nodeId)) {
        return false;
      }
      List.copyOf(peer.awaiting).forEach(Promise::tryComplete);
      return true;
    });
    recompute();
    renew(); // a new peer: ask for its lease at once, this instance serves nothing until it has it
  }
}
