package io.catalogsuite.bench;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bare proxy over two real origins: it relays their answers, in turn. */
class BareProxyIT {
  private static Vertx vertx;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    List<SocketAddress> origins = new ArrayList<>();
    for (String name : List.of("origin-a", "origin-b")) {
      int port = await(vertx.createHttpServer().requestHandler(request -> request.response()
          .putHeader("X-Instance-Id", name).putHeader("Content-Type", "text/plain")
          .end(name + " " + request.method() + " " + request.uri())).listen(0, "127.0.0.1")).actualPort();
      origins.add(SocketAddress.inetSocketAddress(port, "127.0.0.1"));
    }
    http = new TestHttp(await(BareProxy.start(vertx, origins, 0, 1)));
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void relaysEachOriginsAnswer_roundRobin() {
    List<String> answered = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> response = http.get("/health?n=" + i);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).isEqualTo("text/plain");
      assertThat(response.bodyAsString()).isEqualTo(response.getHeader("X-Instance-Id") + " GET /health?n=" + i);
      answered.add(response.getHeader("X-Instance-Id"));
    }
    assertThat(answered).containsExactly("origin-b", "origin-a", "origin-b", "origin-a");
  }

  @Test
  void origins_areHostAndPortPairs() {
    assertThat(BareProxy.parse("127.0.0.1:8081, catalog-2:8082")).containsExactly(
        SocketAddress.inetSocketAddress(8081, "127.0.0.1"), SocketAddress.inetSocketAddress(8082, "catalog-2"));
    assertThatThrownBy(() -> BareProxy.parse("8081")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORIGINS");
  }
}
