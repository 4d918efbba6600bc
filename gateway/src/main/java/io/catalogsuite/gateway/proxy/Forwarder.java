package io.catalogsuite.gateway.proxy;

import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.common.http.Principals;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.RequestIds;
import io.catalogsuite.gateway.protect.Principal;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Moves an exchange's request to an instance and the instance's response back to the client: headers, filtered,
 * then bodies, piped with back-pressure. It knows nothing of balancing, health or retries.
 *
 * <p>Headers are filtered by name, structurally: hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection
 * and never cross; the client's {@code Host}, {@code Content-Length} and {@code X-Forwarded-*} are replaced by
 * the gateway's own. So are the client's {@code traceparent} and {@code tracestate} when the gateway traces: Vert.x
 * writes those of the attempt's span, which continues the client's trace. When it does not, they go through
 * unchanged, like any end-to-end header, and the instances see the client's trace.
 */
final class Forwarder {
  private static final Set<String> HOP_BY_HOP = caseInsensitive("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
  /** Request headers the gateway writes itself, besides every {@code X-Forwarded-*}. */
  private static final Set<String> REPLACED = caseInsensitive("host", "content-length", Principals.HEADER,
      GatewayIdentity.HEADER);
  /** The same, and W3C Trace Context's headers: what a tracing gateway sends instead. */
  private static final Set<String> REPLACED_WHEN_TRACING = caseInsensitive("host", "content-length",
      Principals.HEADER, GatewayIdentity.HEADER, "traceparent", "tracestate");
  private static final String FORWARDED = "x-forwarded-";

  private final String prefix;
  private final Optional<GatewayIdentity> identity;
  /** What the gateway writes itself: one set or the other, so that tracing costs the filter nothing. */
  private final Set<String> replaced;

  Forwarder(String prefix, Optional<GatewayIdentity> identity, boolean tracing) {
    this.prefix = prefix;
    this.identity = identity;
    this.replaced = tracing ? REPLACED_WHEN_TRACING : REPLACED;
  }

  /** The request's path without the route prefix (at least "/"), and its query. */
  String uri(RoutingContext ctx) {
    String path = ctx.normalizedPath().substring(prefix.length());
    String query = ctx.request().query();
    return (path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
  }

  /**
   * What the instance is sent as headers: the client's, filtered, the gateway's {@code X-Forwarded-*}, who the
   * client is ({@link Principals#HEADER}) when it authenticated, and the gateway's signature
   * ({@link GatewayIdentity}) when the deployment has a secret.
   */
  MultiMap headers(HttpServerRequest request, String requestId, Optional<Principal> principal) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey();
      if (!HOP_BY_HOP.contains(name) && !replaced.contains(name)
          && !name.regionMatches(true, 0, FORWARDED, 0, FORWARDED.length())) {
        headers.add(name, header.getValue());
      }
    }
    String forwardedFor = request.getHeader("X-Forwarded-For");
    String client = Principal.addressOf(request);
    headers.set("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client);
    headers.set("X-Forwarded-Proto", request.scheme());
    if (request.authority() != null) {
      headers.set("X-Forwarded-Host", request.authority().toString());
    }
    headers.set("X-Forwarded-Prefix", prefix);
    headers.set(RequestIds.HEADER, requestId);
    principal.ifPresent(p -> headers.set(Principals.HEADER, p.id()));
    identity.ifPresent(gateway -> headers.set(GatewayIdentity.HEADER, gateway.signature()));
    return headers;
  }

  /**
   * Sends the exchange's request to {@code upstream} through {@code client}; completes with the instance's
   * response head. A buffered exchange's instance has {@code timeoutMs} from now; a streamed one's, from the end
   * of its upload.
   */
  Future<HttpClientResponse> send(HttpClient client, Exchange exchange, Upstream upstream, long timeoutMs) {
    RequestOptions options = new RequestOptions()
        .setMethod(exchange.ctx().request().method())
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(exchange.uri())
        .setHeaders(exchange.headers());
    if (!exchange.streamsBody()) {
      options.setIdleTimeout(timeoutMs);
    }
    return client.request(options).compose(request -> exchange.streamsBody()
        ? exchange.upload().sendTo(request, timeoutMs)
        : request.send(exchange.body()));
  }

  /** Reads a response that will not be relayed to its end, so that its connection can carry the next request. */
  Future<Void> discard(HttpClientResponse response) {
    return response.body().mapEmpty();
  }

  /**
   * Relays the instance's response to the client as it comes, chunk by chunk. Always succeeds: when the instance
   * breaks off mid-body, the client's response is reset, so that the client never takes a truncated body as
   * whole; when the client goes away mid-response, the instance's response is stopped too (an event stream, say,
   * would otherwise run on into the void).
   */
  Future<Void> relay(RoutingContext ctx, HttpClientResponse upstream) {
    HttpServerResponse response = ctx.response();
    response.setStatusCode(upstream.statusCode()).setStatusMessage(upstream.statusMessage());
    // The instance's headers replace the gateway's own of the same name: X-Instance-Id names who served it.
    MultiMap out = response.headers();
    List<String> seen = new ArrayList<>(16);
    for (Map.Entry<String, String> header : upstream.headers()) {
      String name = header.getKey();
      if (HOP_BY_HOP.contains(name)) {
        continue;
      }
      if (!containsIgnoreCase(seen, name)) { // its first value: what the gateway had under that name goes
        seen.add(name);
        out.remove(name);
      }
      out.add(name, header.getValue());
    }
    boolean hasBody = ctx.request().method() != HttpMethod.HEAD && upstream.statusCode() != 204
        && upstream.statusCode() != 304;
    if (hasBody && !upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      response.setChunked(true);
    }
    // Not ended on failure (the pipe's default): a body cut short must not reach the client as if it were whole,
    // and a response the pipe had ended could not be reset.
    Future<Void> piped = upstream.pipe().endOnFailure(false).to(response);
    ctx.addEndHandler(ended -> {
      if (ended.failed() && !piped.isComplete()) {
        upstream.request().reset(); // the client left while the instance had nothing more to send
      }
    });
    return piped.recover(e -> {
      // Either side broke off: the other is cut too, the client's response and the instance's both.
      response.reset();
      upstream.request().reset();
      return Future.succeededFuture();
    });
  }

  private static boolean containsIgnoreCase(List<String> names, String name) {
    for (String candidate : names) {
      if (candidate.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> caseInsensitive(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return Collections.unmodifiableSet(set);
  }
}
