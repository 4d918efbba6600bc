package io.catalogsuite.common.discovery;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.common.cluster.ClusterNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the discovery records of cluster nodes that are gone, so a crashed instance does not stay routable.
 *
 * <p>A node that stops gracefully unpublishes itself; one that is killed cannot. Every node runs a reaper, but
 * only the oldest cluster member acts (Hazelcast keeps one member list in the same order everywhere), so each
 * departure is cleaned up once. The oldest member also reconciles when it starts and when it becomes the
 * oldest, which covers departures that happened while no one was watching.
 */
public final class DepartedNodeReaper implements MembershipListener {
  private static final Logger log = LoggerFactory.getLogger(DepartedNodeReaper.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final ServiceDiscovery discovery;
  private UUID registration;

  public DepartedNodeReaper(Vertx vertx, HazelcastInstance hazelcast, ServiceDiscovery discovery) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.discovery = discovery;
  }

  public Future<Void> start() {
    registration = hazelcast.getCluster().addMembershipListener(this);
    return reconcile();
  }

  public void stop() {
    if (registration != null) {
      hazelcast.getCluster().removeMembershipListener(registration);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    // nothing to clean up; a new node publishes its own records
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    // Hazelcast calls this on its event thread; the work is asynchronous and goes back to Vert.x.
    vertx.runOnContext(ignored -> reconcile());
  }

  /** Unpublishes every record whose node is no longer a member, if this node is the oldest member. */
  Future<Void> reconcile() {
    if (!isOldestMember()) {
      return Future.succeededFuture();
    }
    Set<String> members = hazelcast.getCluster().getMembers().stream()
        .map(member -> member.getAttribute(ClusterNode.VERTX_NODE_ID))
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
    return discovery.getRecords(record -> ServiceRecords.nodeId(record) != null
            && !members.contains(ServiceRecords.nodeId(record)))
        .compose(stale -> Future.join(stale.stream().map(this::unpublish).toList()))
        .<Void>mapEmpty()
        .recover(e -> {
          log.warn("Could not reconcile discovery records with cluster members: {}", e.getMessage());
          return Future.succeededFuture();
        });
  }

  private Future<Void> unpublish(Record record) {
    log.info("Removing {} instance {} at {}: its node {} left the cluster", record.getName(),
        ServiceRecords.instanceId(record), record.getLocation().getString("endpoint"), ServiceRecords.nodeId(record));
    return discovery.unpublish(record.getRegistration());
  }

  private boolean isOldestMember() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return false; // a member that has left sees only itself, and must not judge the others
    }
    try {
      Member oldest = hazelcast.getCluster().getMembers().iterator().next();
      return oldest.localMember();
    } catch (RuntimeException e) { // the member is shutting down
      return false;
    }
  }
}
