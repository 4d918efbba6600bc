package io.catalogsuite.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard beneath a real Vert.x HTTP server, spoken to over raw sockets, since what it guards against is what a
 * well-behaved client never sends.
 */
class ConnectionGuardTest {
  private static final Duration HEAD = Duration.ofMillis(300);
  private static final Duration KEEP_ALIVE = Duration.ofMillis(600);
  /** How much earlier than this test's clock the server's may start: a timeout is not early by that much. */
  private static final Duration CLOCK_SLACK = Duration.ofMillis(50);
  private static Vertx vertx;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false).setHost("127.0.0.1"))
        .connectionHandler(connection -> ConnectionGuard.install(connection, new HttpTimeouts(HEAD, KEEP_ALIVE)))
        .requestHandler(request -> {
          // /slow answers after both timeouts have passed; everything else once the body is in
          long delay = request.path().equals("/slow") ? 3 * KEEP_ALIVE.toMillis() : 0;
          request.body().onSuccess(body -> vertx.setTimer(Math.max(1, delay), t -> request.response()
              .end("read " + body.length())));
        })
        .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anUnsupportedVersion_getsA505Problem_andTheConnectionCloses() throws IOException {
    for (String version : new String[] {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9"}) {
      try (Socket socket = connect()) {
        send(socket, "GET / " + version + "\r\nHost: x\r\n\r\n");
        String response = readToClose(socket);
        assertThat(response).startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n")
            .contains("Content-Type: application/problem+json", "Connection: close");
        JsonObject problem = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(problem.getInteger("status")).isEqualTo(505);
        assertThat(problem.getString("detail")).contains(version);
      }
    }
  }

  @Test
  void aHeadTrickledPastItsTime_getsA408Problem_andTheConnectionCloses() throws IOException {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      send(socket, "GET / HTTP/1.1\r\nHost: x\r\n"); // ...and the blank line never comes
      String response = readToClose(socket);
      assertThat(response).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("application/problem+json");
      // The server's clock starts at the connection, a little before this test's: within the slack.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(HEAD.minus(CLOCK_SLACK));
    }
  }

  @Test
  void aByteAtATime_doesNotExtendTheHeadsTime() throws Exception {
    try (Socket socket = connect()) {
      String head = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(200) + "\r\n\r\n";
      long perByteMs = HEAD.toMillis() / 20; // the whole head would take ten times the head timeout
      for (int i = 0; i < head.length() && !socket.isInputShutdown(); i++) {
        try {
          send(socket, head.substring(i, i + 1));
        } catch (IOException closed) {
          break; // the server has given up on it, as it should
        }
        if (socket.getInputStream().available() > 0) {
          break;
        }
        Thread.sleep(perByteMs); // the attack itself is a slow client: this pace is what is under test
      }
      assertThat(readToClose(socket)).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void aBrokenChunk_getsA400Problem_notASilentClose() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n");
      String response = readToClose(socket);
      assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("application/problem+json");
    }
  }

  @Test
  void anIdleKeptAliveConnection_isClosedSilently_afterItsTime() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      String first = readResponse(socket.getInputStream());
      assertThat(first).startsWith("HTTP/1.1 200 ");
      long answered = System.nanoTime();
      assertThat(socket.getInputStream().read()).as("nothing more is sent; the connection closes").isEqualTo(-1);
      // The server's clock starts when it wrote the response, a little before this test read it (once 0.5991 s).
      assertThat(Duration.ofNanos(System.nanoTime() - answered))
          .isGreaterThanOrEqualTo(KEEP_ALIVE.minus(CLOCK_SLACK));
    }
  }

  @Test
  void requestsInTime_shareOneConnection() throws IOException {
    try (Socket socket = connect()) {
      for (int i = 0; i < 5; i++) {
        send(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
      }
    }
  }

  @Test
  void aSlowBodyAndASlowAnswer_areNotTheHeadsBusiness() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
      for (char c : "body".toCharArray()) {
        Thread.sleep(HEAD.toMillis() / 2); // the body takes twice the head timeout to arrive
        send(socket, String.valueOf(c));
      }
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("read 4");
      send(socket, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); // answered after three keep-alive times
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
    }
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.actualPort());
    socket.setSoTimeout(10_000); // a guard that failed to act fails the test instead of hanging it
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  private static String readToClose(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** One response with a {@code Content-Length}, leaving the connection open. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed in the middle of a response: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = Integer.parseInt(text.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
