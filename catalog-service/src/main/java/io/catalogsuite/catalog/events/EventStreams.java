package io.catalogsuite.catalog.events;

import io.catalogsuite.common.http.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /events}: product events as Server-Sent Events, live from the clustered event bus, and after a
 * {@code Last-Event-ID} (header, or {@code lastEventId} query parameter) replayed from the outbox first.
 *
 * <p>A resumed stream subscribes before it replays: events published meanwhile wait in the stream's queue,
 * and are sent after the replay, without the ones the replay already sent. So a client that reconnects with the
 * id of the last event it saw misses none and gets none twice (as long as the outbox keeps them:
 * {@link EventsConfig#retentionHours()}).
 *
 * <p>A replay is bounded: after {@link EventsConfig#maxReplay()} events, a client still behind gets an
 * {@code event: gap} (without an id; its data {@code {"after": position}} is the last event replayed) and then the
 * live events: it missed the ones in between and reads what it needs again (the products themselves). So a client
 * resuming from {@code Last-Event-ID: 0} costs one bounded replay, not 72 hours of events.
 *
 * <p>Events are written as fast as the client's connection takes them. A client that falls too far behind
 * ({@code MAX_QUEUED} events) is disconnected rather than buffered without bound; it resumes with its
 * {@code Last-Event-ID}.
 */
public final class EventStreams {
  /** Where the relay publishes each batch of events, as a JSON array; every catalog instance listens. */
  public static final String ADDRESS = "catalog.product-events";
  private static final Pattern POSITION = Pattern.compile("0|[1-9][0-9]{0,18}");
  private static final int REPLAY_PAGE = 500;
  /** Events a stream holds for its client; a client this far behind is better off resuming. */
  private static final int MAX_QUEUED = 10_000;
  /**
   * Events written to the connection at once: one chunk (one write, one flush, one chunk through the gateway) per
   * event held a stream to about the import's pace and let it fall 10,000 events behind during a fast relay.
   */
  private static final int EVENTS_PER_WRITE = 500;

  private final Vertx vertx;
  private final SqlClient client;
  private final EventsConfig config;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private MessageConsumer<JsonArray> consumer;

  public EventStreams(Vertx vertx, SqlClient client, EventsConfig config, MeterRegistry metrics) {
    this.vertx = vertx;
    this.client = client;
    this.config = config;
    Gauge.builder("events.streams.open", streams::size)
        .description("Open GET /events streams on this instance").register(metrics);
  }

  /** Starts listening to the event bus. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, message -> {
      if (streams.isEmpty()) {
        return; // no client here: the batch is not even decoded (a clustered message's body is, when first read)
      }
      List<ProductEvent> events = new ArrayList<>(message.body().size());
      message.body().forEach(json -> events.add(ProductEvent.fromJson((JsonObject) json)));
      streams.forEach(stream -> stream.offer(events));
    });
    return consumer.completion();
  }

  /** Ends every open stream (clients reconnect elsewhere) and stops listening. */
  public Future<Void> stop() {
    streams.forEach(Stream::close);
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Publishes a batch to every instance's streams. */
  public void publish(List<ProductEvent> events) {
    JsonArray batch = new JsonArray(new ArrayList<>(events.size()));
    events.forEach(event -> batch.add(event.toJson()));
    vertx.eventBus().publish(ADDRESS, batch);
  }

  public void handle(RoutingContext ctx) {
    Long after = lastEventId(ctx);
    if (streams.size() >= config.maxStreams()) {
      throw ProblemException.serviceUnavailable("this instance serves " + config.maxStreams()
          + " event streams already; retry later").withRetryAfter(1);
    }
    HttpServerResponse response = ctx.response()
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no") // tells buffering proxies (nginx) to pass events on at once
        .setChunked(true);
    Stream stream = new Stream(response, vertx.getOrCreateContext(), after == null ? -1 : after);
    streams.add(stream);
    response.closeHandler(v -> stream.close());
    // A server shutting down gracefully waits for open requests; a stream never ends by itself.
    ctx.request().connection().shutdownHandler(v -> stream.close());
    response.write("retry: 1000\n\n");
    stream.heartbeat = vertx.setPeriodic(config.heartbeatMs(), id -> stream.heartbeat());
    stream.flush(); // a resumed stream starts its replay
  }

  /** Where the client resumes: after this position; null for live events only. */
  private static Long lastEventId(RoutingContext ctx) {
    String raw = ctx.request().getHeader("Last-Event-ID");
    if (raw == null) {
      raw = ctx.request().getParam("lastEventId");
    }
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (POSITION.matcher(raw).matches()) {
      try {
        return Long.parseLong(raw);
      } catch (NumberFormatException ignored) {
        // beyond a long; reported below
      }
    }
    throw ProblemException.badRequest("Last-Event-ID must be the id of an event (a whole number), got '" + raw
        + "'");
  }

  /**
   * One client's stream. Events wait in {@code pending} and are written as fast as the connection takes them
   * (back-pressure: a full write queue waits for its drain). While the stream replays, live events wait in
   * {@code live}, and the next page of the replay is read only once the last one is written. Everything but
   * {@link #offer} runs on the request's own event loop.
   */
  private final class Stream {
    private final HttpServerResponse response;
    private final Context context;
    private final ArrayDeque<ProductEvent> pending = new ArrayDeque<>();
    private final ArrayDeque<ProductEvent> live = new ArrayDeque<>();
    /** The last position sent; events at or before it are duplicates. */
    private long lastSent;
    /** Where the replay reads its next page from. */
    private long replayedUpTo;
    private boolean replaying;
    /** Events the replay may still send. */
    private int replayLeft = config.maxReplay();
    /** After the replay stopped at its bound: the last position replayed, until the gap event is sent; else -1. */
    private long gapAfter = -1;
    private boolean reading;
    private boolean closed;
    private long heartbeat;

    Stream(HttpServerResponse response, Context context, long after) {
      this.response = response;
      this.context = context;
      this.lastSent = after;
      this.replayedUpTo = after;
      this.replaying = after >= 0;
    }

    /** Live events, from the event bus's thread. */
    void offer(List<ProductEvent> events) {
      context.runOnContext(v -> {
        if (closed) {
          return;
        }
        (replaying ? live : pending).addAll(events);
        if (pending.size() + live.size() > MAX_QUEUED) {
          close(); // a client this far behind resumes from its last event instead
          return;
        }
        flush();
      });
    }

    /** Writes what is pending while the connection takes it; then reads the replay's next page, if any. */
    void flush() {
      while (!closed && !pending.isEmpty() && !response.writeQueueFull()) {
        Buffer chunk = Buffer.buffer();
        for (int i = 0; i < EVENTS_PER_WRITE && !pending.isEmpty(); i++) {
          append(chunk, pending.poll());
        }
        if (chunk.length() > 0) {
          response.write(chunk);
        }
      }
      if (closed) {
        return;
      }
      if (!pending.isEmpty()) {
        response.drainHandler(v -> flush());
      } else if (gapAfter >= 0) {
        response.write(gap());
      } else if (replaying && !reading) {
        readPage();
      }
    }

    /** The outbox's next page after {@code replayedUpTo}; a short page ends the replay. */
    private void readPage() {
      reading = true;
      EventLog.since(client, replayedUpTo, REPLAY_PAGE).onComplete(page -> {
        reading = false;
        if (closed) {
          return;
        }
        if (page.failed()) {
          close(); // the client resumes later from what it got
          return;
        }
        List<ProductEvent> events = page.result();
        if (!events.isEmpty()) {
          replayedUpTo = events.get(events.size() - 1).position();
        }
        pending.addAll(events);
        replayLeft -= events.size();
        if (events.size() == REPLAY_PAGE && replayLeft <= 0) {
          gapAfter = replayedUpTo; // still behind, but replayed enough: a gap, then the live events
        }
        if (events.size() < REPLAY_PAGE || gapAfter >= 0) {
          replaying = false; // caught up (or stopped): the live events follow (without those the replay sent)
          pending.addAll(live);
          live.clear();
        }
        flush();
      });
    }

    private void append(Buffer chunk, ProductEvent event) {
      if (event.position() <= lastSent) {
        return; // a duplicate: replayed already, or delivered twice by a relay that took over
      }
      if (gapAfter >= 0 && event.position() > gapAfter) {
        chunk.appendBuffer(gap()); // between the last replayed event and the first live one
      }
      lastSent = event.position();
      chunk.appendString("id: " + event.position() + "\nevent: " + event.type() + "\ndata: " + event.toJson().encode()
          + "\n\n");
    }

    /** The gap event, once: the events after {@code gapAfter} up to the live ones were not sent. */
    private Buffer gap() {
      Buffer event = Buffer.buffer("event: gap\ndata: " + new JsonObject().put("after", gapAfter).encode() + "\n\n");
      gapAfter = -1;
      return event;
    }

    void heartbeat() {
      if (!closed && !response.writeQueueFull()) {
        response.write(": keep-alive\n\n");
      }
    }

    void close() {
      context.runOnContext(v -> {
        if (closed) {
          return;
        }
        closed = true;
        streams.remove(this);
        vertx.cancelTimer(heartbeat);
        pending.clear();
        live.clear();
        if (!response.ended() && !response.closed()) {
          response.end();
        }
      });
    }
  }
}
