package io.catalogsuite.gateway.protect;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a request, once authenticated: an API key's name or a JWT's {@code sub}, and the roles the
 * credential carries. The authentication handler puts it in the {@link RoutingContext} under
 * {@link #CONTEXT_KEY}, so the handlers after it (the rate limiter, for one) can tell clients apart.
 *
 * @param id    the API key's name, or the token's subject
 * @param roles the roles of the key, or of the token's roles claim
 */
public record Principal(String id, Set<String> roles) {
  /** The {@link RoutingContext} key of the authenticated principal; absent for an anonymous request. */
  public static final String CONTEXT_KEY = "gateway.principal";

  public Principal {
    roles = Set.copyOf(roles);
  }

  /** The principal of an authenticated request, or empty for an anonymous one. */
  public static Optional<Principal> of(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(CONTEXT_KEY));
  }

  /**
   * Who a limit counts the request against: the authenticated principal's id, else the address the connection
   * comes from ({@code X-Forwarded-For} is not trusted: any client can write it).
   */
  public static String clientOf(RoutingContext ctx) {
    Principal principal = ctx.get(CONTEXT_KEY);
    return principal != null ? principal.id() : addressOf(ctx.request());
  }

  /** The address the connection comes from, {@code unknown} when the connection has none. */
  public static String addressOf(HttpServerRequest request) {
    SocketAddress address = request.remoteAddress();
    return address == null ? "unknown" : address.hostAddress();
  }
}
