package io.catalogsuite.common.discovery;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.types.HttpEndpoint;

/** The shape of the HTTP endpoint records the services publish and the gateway reads. */
public final class ServiceRecords {
  /** Metadata key: the instance's {@code INSTANCE_ID}. */
  public static final String INSTANCE_ID = "instance-id";
  /** Metadata key: the cluster node id of the instance, used to drop records of departed nodes. */
  public static final String NODE_ID = "node-id";
  /** Metadata key: the service name (also the record's name). */
  public static final String SERVICE_NAME = "service-name";
  /** Metadata key: the instance's relative weight for weighted balancing ({@code INSTANCE_WEIGHT}). */
  public static final String WEIGHT = "weight";

  private ServiceRecords() {
  }

  public static Record httpEndpoint(String serviceName, String instanceId, String nodeId, String host, int port,
      int weight) {
    JsonObject metadata = new JsonObject()
        .put(SERVICE_NAME, serviceName)
        .put(INSTANCE_ID, instanceId)
        .put(NODE_ID, nodeId)
        .put(WEIGHT, weight);
    return HttpEndpoint.createRecord(serviceName, host, port, "/", metadata);
  }

  public static String nodeId(Record record) {
    return record.getMetadata().getString(NODE_ID);
  }

  /** The published weight; 1 for a record that has none. */
  public static int weight(Record record) {
    return record.getMetadata().getInteger(WEIGHT, 1);
  }

  public static String instanceId(Record record) {
    return record.getMetadata().getString(INSTANCE_ID);
  }
}
