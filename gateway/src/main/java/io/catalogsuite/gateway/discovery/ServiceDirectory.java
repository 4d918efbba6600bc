package io.catalogsuite.gateway.discovery;

import io.catalogsuite.common.discovery.ServiceRecords;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live instances of every service: discovery records in, instance lists out.
 *
 * <p>This is the only class that knows the gateway's instances come from Vert.x Service Discovery (sunset in
 * Vert.x 5 in favour of the service resolver); routing and balancing see {@link Upstream} lists only.
 * Lists are replaced whole (copy-on-write), so readers on any event loop never lock. An instance keeps its
 * {@link Upstream} (and counters) across refreshes for as long as its record exists.
 */
public final class ServiceDirectory {
  private final Map<String, Integer> weights;
  private volatile Map<String, List<Upstream>> byService = Map.of();
  /** Instances known at the first read are not new: they get no slow start when the gateway (re)starts. */
  private boolean firstUpdate = true;

  /** @param weights weights by instance id, overriding the weight an instance publishes */
  public ServiceDirectory(Map<String, Integer> weights) {
    this.weights = Map.copyOf(weights);
  }

  /** Every known instance of {@code service}, in a stable order (by instance id); empty if none. */
  public List<Upstream> instances(String service) {
    return byService.getOrDefault(service, List.of());
  }

  public Map<String, List<Upstream>> all() {
    return byService;
  }

  /** Replaces the directory's content with these records (all published HTTP endpoints). */
  public synchronized void update(List<Record> records) {
    Map<String, Upstream> known = new HashMap<>();
    byService.values().forEach(list -> list.forEach(u -> known.put(u.registration(), u)));
    Map<String, List<Upstream>> next = new ConcurrentHashMap<>();
    long discoveredAt = firstUpdate ? 0 : System.currentTimeMillis();
    firstUpdate = false;
    for (Record record : records) {
      if (!HttpEndpoint.TYPE.equals(record.getType()) || ServiceRecords.instanceId(record) == null) {
        continue;
      }
      Upstream upstream = known.computeIfAbsent(record.getRegistration(), id -> toUpstream(record, discoveredAt));
      next.computeIfAbsent(record.getName(), name -> new ArrayList<>()).add(upstream);
    }
    next.replaceAll((service, list) -> {
      list.sort(Comparator.comparing(Upstream::instanceId).thenComparing(Upstream::registration));
      return List.copyOf(list);
    });
    byService = Map.copyOf(next);
  }

  private Upstream toUpstream(Record record, long discoveredAt) {
    JsonObject location = record.getLocation();
    String instanceId = ServiceRecords.instanceId(record);
    int weight = weights.getOrDefault(instanceId, Math.max(1, ServiceRecords.weight(record)));
    return new Upstream(record.getRegistration(), record.getName(), instanceId, ServiceRecords.nodeId(record),
        location.getString("host"), location.getInteger("port"), weight, discoveredAt);
  }
}
