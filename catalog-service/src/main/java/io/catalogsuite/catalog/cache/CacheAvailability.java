package io.catalogsuite.catalog.cache;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.common.cluster.ClusterNode;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the shared cache can be used now: whether a member that holds its data (a cache-service instance) is in
 * the cluster. catalog-service is a lite member; without a cache-service member every cache call would fail, so
 * reads go straight to Postgres instead, and {@code /ready} and {@code /metrics} say so. Known from Hazelcast's
 * member list, kept up to date by membership events: reading it costs one volatile read.
 */
final class CacheAvailability implements MembershipListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CacheAvailability.class);

  private final HazelcastInstance hazelcast;
  private final UUID registration;
  private volatile boolean available;

  CacheAvailability(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.registration = hazelcast.getCluster().addMembershipListener(this);
    this.available = ClusterNode.hasDataMember(hazelcast);
  }

  /** Whether a cache-service member is in the cluster. */
  boolean available() {
    return available;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    update();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    update();
  }

  private void update() {
    boolean now = ClusterNode.hasDataMember(hazelcast);
    if (now != available) {
      if (now) {
        log.info("A cache-service member is back: reads go through the shared cache again");
      } else {
        log.warn("No cache-service member in the cluster: reads go to Postgres until one is back");
      }
    }
    available = now;
  }

  @Override
  public void close() {
    hazelcast.getCluster().removeMembershipListener(registration);
  }
}
