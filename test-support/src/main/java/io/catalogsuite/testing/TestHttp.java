package io.catalogsuite.testing;

import io.catalogsuite.common.http.GatewayIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** A plain HTTP client for tests that talks to real servers over loopback and waits for answers. */
public final class TestHttp implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 30;
  private final Vertx vertx;
  private final WebClient client;
  private final String base;
  private final Map<String, String> headers;
  private final Optional<GatewayIdentity> signer;

  public TestHttp(int port) {
    this(port, Map.of());
  }

  /** A client that sends {@code headers} (a credential, say) with every request. */
  public TestHttp(int port, Map<String, String> headers) {
    this(port, headers, Optional.empty());
  }

  private TestHttp(int port, Map<String, String> headers, Optional<GatewayIdentity> signer) {
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(64));
    this.base = "http://127.0.0.1:" + port;
    this.headers = Map.copyOf(headers);
    this.signer = signer;
  }

  /**
   * A client of one service instance that signs every request as the gateway of a deployment with
   * {@code gatewaySecret} does ({@link GatewayIdentity}), for tests that talk to an instance directly.
   */
  public static TestHttp asGateway(int port, String gatewaySecret) {
    return new TestHttp(port, Map.of(), GatewayIdentity.of(Optional.of(gatewaySecret)));
  }

  public WebClient client() {
    return client;
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    HttpRequest<Buffer> request = client.requestAbs(method, base + path);
    headers.forEach(request::putHeader);
    signer.ifPresent(gateway -> request.putHeader(GatewayIdentity.HEADER, gateway.signature()));
    return request;
  }

  public HttpResponse<Buffer> get(String path) {
    return await(request(HttpMethod.GET, path).send());
  }

  public HttpResponse<Buffer> delete(String path) {
    return await(request(HttpMethod.DELETE, path).send());
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(request(HttpMethod.POST, path).sendJsonObject(body));
  }

  public HttpResponse<Buffer> put(String path, JsonObject body) {
    return await(request(HttpMethod.PUT, path).sendJsonObject(body));
  }

  /** Sends raw bytes with the given content type (null for none), for malformed-input tests. */
  public HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, Buffer body) {
    HttpRequest<Buffer> request = request(method, path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return await(request.sendBuffer(body));
  }

  /** The future's result, waiting at most 30 s; a failure or a timeout is rethrown unchecked. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + TIMEOUT_SECONDS + " s", e);
    }
  }

  /** Polls {@code path} until the response matches, or fails after {@code timeout}. */
  public HttpResponse<Buffer> awaitResponse(String path, Predicate<HttpResponse<Buffer>> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<Buffer> last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get(path);
        if (condition.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        // not answering yet
      }
      Waits.pause(Duration.ofMillis(50));
    }
    throw new AssertionError("GET " + path + " did not match within " + timeout + "; last status: "
        + (last == null ? "no answer" : last.statusCode() + " " + last.bodyAsString()));
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
