package io.catalogsuite.gateway.observe;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 * the event loop. One writer thread, {@value #THREAD_NAME}, drains the queue and encodes the entries. It logs
 * what it drained in batches of whole lines, up to {@value #BATCH_CHARS} characters in one logging event (one
 * write to stdout; a batch of ASCII lines stays under PIPE_BUF, which a pipe keeps whole; a longer line goes
 * alone), rather than an event and a write per line, which was a third of the gateway's system calls (3.15
 * writes per request instead of 2). Like nginx's buffered {@code access_log}, a line
 * appears a few milliseconds after its request. When the queue is full (the writer cannot keep up with the
 * console), entries are dropped, never waited for, and counted in {@code gateway_access_log_dropped_total}.
 * Closing lets the writer write what is queued, then stop.
 */
public final class AccessLog implements AutoCloseable {
  static final String THREAD_NAME = "access-log-writer";
  private static final Logger log = LoggerFactory.getLogger("access");
  private static final int CAPACITY = 65_536;
  /** At most this much text per logging event (unless one line is longer): ASCII lines stay under PIPE_BUF. */
  static final int BATCH_CHARS = 3_500;
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

  /** One request, as the access log line tells it; {@code traceId} is null unless its trace is recorded. */
  record Entry(long epochMillis, String requestId, String traceId, String method, String path, String route,
      String principal, String upstream, int status, long latencyNanos, long bytes, String client) {

    /** Appends the entry as one line of JSON, without its line break. */
    void appendJson(StringBuilder line) {
      line.append("{\"time\":\"").append(Instant.ofEpochMilli(epochMillis)).append('"');
      string(line, "requestId", requestId);
      string(line, "traceId", traceId);
      string(line, "method", method);
      string(line, "path", path);
      string(line, "route", route);
      string(line, "principal", principal);
      string(line, "upstream", upstream);
      line.append(",\"status\":").append(status)
          .append(",\"latencyMs\":").append(latencyNanos / 1_000_000.0)
          .append(",\"bytes\":").append(bytes);
      string(line, "client", client);
      line.append('}');
    }

    private static void string(StringBuilder line, String name, String value) {
      line.append(",\"").append(name).append("\":");
      if (value == null) {
        line.append("null");
      } else {
        line.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, line);
        line.append('"');
      }
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
    StringBuilder batch = new StringBuilder(2 * BATCH_CHARS);
    while (true) {
      for (Entry entry = queue.relaxedPoll(); entry != null; entry = queue.relaxedPoll()) {
        int start = batch.length();
        if (start > 0) {
          batch.append('\n');
        }
        entry.appendJson(batch);
        if (batch.length() > BATCH_CHARS && start > 0) { // the batch is full: this line starts the next one
          log.info(batch.substring(0, start));
          batch.delete(0, start + 1);
        }
      }
      if (batch.length() > 0) {
        log.info(batch.toString());
        batch.setLength(0);
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
