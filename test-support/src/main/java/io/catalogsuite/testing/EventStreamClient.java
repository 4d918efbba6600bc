package io.catalogsuite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests: opens a stream, parses its events on a thread of its own, and lets the
 * test wait for them.
 */
public final class EventStreamClient implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** One event: its id, type and data. */
  public record Event(String id, String type, String data) {
  }

  private final HttpResponse<Stream<String>> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;

  private EventStreamClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    if (response.statusCode() == 200) {
      reader.start();
    }
  }

  /** Opens {@code url} with {@code headers}; returns once the response's headers arrived. */
  public static EventStreamClient open(String url, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    headers.forEach(request::header);
    try {
      return new EventStreamClient(HttpClient.newHttpClient()
          .send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** The next {@code count} events, waiting up to 30 s for them; fails when they don't come. */
  public List<Event> take(int count) {
    List<Event> taken = new ArrayList<>(count);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try {
      while (taken.size() < count) {
        Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (event == null) {
          throw new AssertionError("got " + taken.size() + " of " + count + " events within " + TIMEOUT + ": "
              + taken);
        }
        taken.add(event);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return taken;
  }

  /** The event that arrives within {@code wait}, or null when none does. */
  public Event poll(Duration wait) {
    try {
      return events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Parses the stream's lines into events, as the SSE specification frames them. */
  private void read() {
    String id = null;
    String type = null;
    StringBuilder data = new StringBuilder();
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, type == null ? "message" : type, data.toString()));
          }
          id = null;
          type = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(data.length() == 0 ? "" : "\n").append(line.substring(5).strip());
        }
      }
    } catch (UncheckedIOException closed) {
      // the stream was closed: by close(), or by the server
    }
  }

  @Override
  public void close() {
    response.body().close();
  }
}
