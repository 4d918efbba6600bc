package io.catalogsuite.gateway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code access} logger ({@code ACCESS_LOG_LEVEL=OFF} turns it off).
 *
 * <p>An event loop only records what happened, in a small {@link Entry}, and offers it to a bounded lock-free
 * queue (JCTools' multi-producer, single-consumer array queue): no lock, no JSON, no formatting of the time on
 * the event loop. One writer thread, {@value #THREAD_NAME}, drains the queue, encodes each entry and logs it.
 * When the queue is full (the writer cannot keep up with the console), entries are dropped, never waited for,
 * and counted in {@code gateway_access_log_dropped_total}. Closing lets the writer write what is queued, then
 * stop.
 */
public final class AccessLog implements AutoCloseable {
  static final String THREAD_NAME = "access-log-writer";
  private static final Logger log = LoggerFactory.getLogger("access");
  private static final int CAPACITY = 65_536;
  /** How long the writer waits when it found nothing: what a line may lag behind its request. */
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final MpscArrayQueue<Entry> queue = new MpscArrayQueue<>(CAPACITY);
  private final Counter dropped;
  private final Thread writer = new Thread(this::write, THREAD_NAME);
  private volatile boolean open = true;

  public AccessLog(MeterRegistry registry) {
    this.dropped = Counter.builder("gateway.access.log.dropped")
        .description("Access log lines dropped because the writer could not keep up")
        .register(registry);
    writer.start();
  }

  /** One request, as the access log line tells it. */
  record Entry(long epochMillis, String requestId, String method, String path, String route, String principal,
      String upstream, int status, long latencyNanos, long bytes, String client) {

    String toJson() {
      return new JsonObject()
          .put("time", Instant.ofEpochMilli(epochMillis).toString())
          .put("requestId", requestId)
          .put("method", method)
          .put("path", path)
          .put("route", route)
          .put("principal", principal)
          .put("upstream", upstream)
          .put("status", status)
          .put("latencyMs", latencyNanos / 1_000_000.0)
          .put("bytes", bytes)
          .put("client", client)
          .encode();
    }
  }

  /** Whether lines are written at all: when not, a caller need not build its entry. */
  boolean enabled() {
    return log.isInfoEnabled();
  }

  /** Queues the entry for the writer; drops it when the queue is full. Never blocks. */
  void add(Entry entry) {
    if (!queue.offer(entry)) {
      dropped.increment();
    }
  }

  private void write() {
    while (true) {
      Entry entry = queue.relaxedPoll();
      if (entry != null) {
        log.info(entry.toJson());
      } else if (open) {
        LockSupport.parkNanos(IDLE_WAIT_NANOS);
      } else if (queue.isEmpty()) {
        return; // closed, and everything queued before is written
      }
    }
  }

  /** Writes what is queued, then stops the writer; returns at once. */
  @Override
  public void close() {
    open = false;
    LockSupport.unpark(writer);
  }
}
