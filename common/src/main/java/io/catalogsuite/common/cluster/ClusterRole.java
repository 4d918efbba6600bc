package io.catalogsuite.common.cluster;

/**
 * What a member keeps of the cluster's data. Every service instance is a Hazelcast member (the event bus,
 * discovery and locks need one), but only cache-service stores the data: scaling cache-service is scaling the
 * cache, and a gateway or catalog-service instance that comes or goes moves no partition.
 */
public enum ClusterRole {
  /** Owns partitions: the cache maps' entries and the cluster's shared state. cache-service. */
  DATA,
  /**
   * A Hazelcast lite member: uses the event bus, discovery, locks and maps, stores none of them. The gateway and
   * catalog-service. Without a data member in the cluster it cannot start, and once started it goes on without
   * the cluster's data (catalog reads fall through to Postgres) until one is back.
   */
  LITE
}
