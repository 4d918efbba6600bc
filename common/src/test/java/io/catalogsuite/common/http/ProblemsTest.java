package io.catalogsuite.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every failure of a router becomes an application/problem+json response, and a bug reveals nothing. */
@ExtendWith(VertxExtension.class)
class ProblemsTest {
  private WebClient client;
  private int port;

  @BeforeEach
  void serve(Vertx vertx, VertxTestContext ctx) {
    Router router = Router.router(vertx);
    Problems.install(router);
    router.get("/validation").handler(rc -> {
      throw ProblemException.invalid(List.of(new FieldError("/name", "is required")));
    });
    router.get("/conflict").handler(rc -> rc.fail(ProblemException.conflict("sku taken")));
    router.get("/refused").handler(rc -> rc.fail(403, new IllegalStateException("origin not allowed")));
    router.get("/bug").handler(rc -> {
      throw new IllegalStateException("secret internal detail");
    });
    router.post("/json").handler(JsonBodies.limitedTo(16)).handler(rc -> rc.json(JsonBodies.object(rc)));
    client = WebClient.create(vertx);
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(server -> {
          port = server.actualPort();
          ctx.completeNow();
        }));
  }

  private void expect(VertxTestContext ctx, HttpMethod method, String path, String contentType, String body,
      int status, Consumer<JsonObject> check) {
    var request = client.request(method, port, "127.0.0.1", path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    request.sendBuffer(Buffer.buffer(body)).onComplete(ctx.succeeding((HttpResponse<Buffer> response) ->
        ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(status);
          assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
          JsonObject problem = response.bodyAsJsonObject();
          assertThat(problem.getInteger("status")).isEqualTo(status);
          assertThat(problem.getString("type")).startsWith("/problems/");
          assertThat(problem.getString("title")).isNotBlank();
          check.accept(problem);
          ctx.completeNow();
        })));
  }

  @Test
  void problemException_listsFieldErrors(VertxTestContext ctx) {
    expect(ctx, HttpMethod.GET, "/validation", null, "", 400, problem ->
        assertThat(problem.getJsonArray("errors").getJsonObject(0))
            .isEqualTo(new JsonObject().put("field", "/name").put("message", "is required")));
  }

  @Test
  void failedContext_keepsItsStatus(VertxTestContext ctx) {
    expect(ctx, HttpMethod.GET, "/conflict", null, "", 409,
        problem -> assertThat(problem.getString("detail")).isEqualTo("sku taken"));
  }

  @Test
  void unexpectedFailure_500_revealsNothing(VertxTestContext ctx) {
    expect(ctx, HttpMethod.GET, "/bug", null, "", 500, problem -> assertThat(problem.encode())
        .doesNotContain("secret").doesNotContain("IllegalStateException").doesNotContain("at io."));
  }

  @Test
  void clientErrorStatus_keptAsProblem(VertxTestContext ctx) {
    expect(ctx, HttpMethod.GET, "/refused", null, "", 403,
        problem -> assertThat(problem.encode()).doesNotContain("origin not allowed"));
  }

  @Test
  void unknownPath_404(VertxTestContext ctx) {
    expect(ctx, HttpMethod.GET, "/nowhere", null, "", 404, problem -> { });
  }

  @Test
  void wrongMethod_405(VertxTestContext ctx) {
    expect(ctx, HttpMethod.DELETE, "/conflict", null, "", 405, problem -> { });
  }

  @Test
  void malformedJson_400(VertxTestContext ctx) {
    expect(ctx, HttpMethod.POST, "/json", "application/json", "{\"a\":", 400,
        problem -> assertThat(problem.getString("detail")).isEqualTo("malformed JSON"));
  }

  @Test
  void notAnObject_400(VertxTestContext ctx) {
    expect(ctx, HttpMethod.POST, "/json", "application/json", "[1]", 400, problem -> { });
  }

  @Test
  void wrongContentType_415(VertxTestContext ctx) {
    expect(ctx, HttpMethod.POST, "/json", "text/plain", "{}", 415, problem -> { });
  }

  @Test
  void bodyOverLimit_413(VertxTestContext ctx) {
    expect(ctx, HttpMethod.POST, "/json", "application/json", "{\"a\":\"" + "x".repeat(32) + "\"}", 413,
        problem -> { });
  }

  @Test
  void jsonContentTypes() {
    assertThat(JsonBodies.isJson("application/json")).isTrue();
    assertThat(JsonBodies.isJson("application/json; charset=utf-8")).isTrue();
    assertThat(JsonBodies.isJson("application/merge-patch+json")).isTrue();
    assertThat(JsonBodies.isJson("text/json")).isFalse();
    assertThat(JsonBodies.isJson(null)).isFalse();
  }
}
