package io.catalogsuite.gateway.discovery;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance of a service as the gateway sees it: where it is, and what the gateway has observed of it.
 * Shared by every event loop of the gateway, so its state is lock-free.
 */
public final class Upstream {
  private final String registration;
  private final String service;
  private final String instanceId;
  private final String nodeId;
  private final String host;
  private final int port;
  private final int weight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicBoolean inRotation = new AtomicBoolean(true);

  public Upstream(String registration, String service, String instanceId, String nodeId, String host, int port,
      int weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, got " + weight + " for " + instanceId);
    }
    this.registration = registration;
    this.service = service;
    this.instanceId = instanceId;
    this.nodeId = nodeId;
    this.host = host;
    this.port = port;
    this.weight = weight;
  }

  public String registration() {
    return registration;
  }

  public String service() {
    return service;
  }

  public String instanceId() {
    return instanceId;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** Relative share of the weighted strategy: from the instance's discovery metadata or the gateway's config. */
  public int weight() {
    return weight;
  }

  /** Requests sent to this instance through this gateway that have not completed yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /** A request to this instance starts: counted as sent and in flight. */
  public void started() {
    requests.increment();
    inFlight.incrementAndGet();
  }

  /** A request to this instance ended, however it ended. */
  public void finished() {
    inFlight.decrementAndGet();
  }

  public boolean inRotation() {
    return inRotation.get();
  }

  /** A connection to it failed: it leaves the rotation until a health probe sees it answer again. */
  public void failed() {
    failures.increment();
    inRotation.set(false);
  }

  /** It did not answer in time. Counted, but a slow instance is not a dead one: it stays in rotation. */
  public void timedOut() {
    failures.increment();
  }

  /** Returns to the rotation; true if it was out. */
  public boolean readmit() {
    return inRotation.compareAndSet(false, true);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("instanceId", instanceId)
        .put("host", host)
        .put("port", port)
        .put("nodeId", nodeId)
        .put("weight", weight)
        .put("inFlight", inFlight.get())
        .put("requests", requests.sum())
        .put("failures", failures.sum())
        .put("inRotation", inRotation.get());
  }

  @Override
  public String toString() {
    return service + "/" + instanceId + "@" + host + ":" + port;
  }
}
