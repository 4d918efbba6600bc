package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Problems;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;

/**
 * Authenticates a request and checks it against the {@link AccessPolicy}: a request the policy makes public
 * passes without a credential; any other needs a valid one (401 otherwise, with a {@code WWW-Authenticate}
 * challenge) whose roles the rule accepts (403 otherwise).
 *
 * <p>A credential is an API key in {@code X-API-Key} or a JWT in {@code Authorization: Bearer}. A credential that
 * is presented is always checked, on public routes too: a client with a bad key learns so at once, and an
 * authenticated client is rate-limited as itself. The principal goes into the context under
 * {@link Principal#CONTEXT_KEY}. The API key is removed from the request: it is the gateway's credential, and
 * upstreams never see it; a bearer token is passed on, for upstreams that read its claims. Refused credentials
 * are limited per client address ({@link AuthFailures}).
 */
final class AuthenticationHandler implements Handler<RoutingContext> {
  static final String API_KEY = "X-API-Key";
  private static final String BEARER = "bearer ";
  private static final String REALM = "catalog-suite";

  private final AccessPolicy policy;
  private final Authenticator authenticator;
  private final AuthFailures failures;

  AuthenticationHandler(AccessPolicy policy, Authenticator authenticator, AuthFailures failures) {
    this.policy = policy;
    this.authenticator = authenticator;
    this.failures = failures;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    AccessPolicy.Requirement requirement = policy.requirementFor(request.method(), ctx.normalizedPath());
    String key = request.getHeader(API_KEY);
    String token = bearerToken(request.getHeader("Authorization"));
    if (key == null && token == null) {
      if (requirement.isPublic()) {
        ctx.next();
      } else {
        reject(ctx, ProblemException.unauthorized(request.method() + " " + ctx.normalizedPath()
            + " needs a credential: an API key in X-API-Key or a bearer token"), false);
      }
      return;
    }
    if (key != null && token != null) {
      reject(ctx, ProblemException.unauthorized("send one credential: X-API-Key or a bearer token, not both"),
          false);
      return;
    }
    request.headers().remove(API_KEY);
    Optional<ProblemException> refusal = failures.refusal(ctx);
    if (refusal.isPresent()) { // this address failed too often: its credential is not even checked
      Problems.send(ctx, refusal.get());
      return;
    }
    Future<Principal> principal = key != null ? authenticator.apiKey(key) : authenticator.bearer(token);
    // Validating a token may complete later: hold the body back until the body handler after this one runs.
    boolean paused = !principal.isComplete() && !request.isEnded();
    if (paused) {
      request.pause();
    }
    principal.onComplete(result -> {
      if (paused && !request.isEnded()) {
        request.resume();
      }
      if (result.failed()) {
        failures.failed(ctx);
        reject(ctx, result.cause() instanceof ProblemException problem ? problem
            : ProblemException.unauthorized("the credential could not be checked"), token != null);
      } else if (!requirement.allows(result.result())) {
        Problems.send(ctx, ProblemException.forbidden(result.result().id() + " lacks the role " + requirement
            + " that " + request.method() + " " + ctx.normalizedPath() + " needs"));
      } else {
        ctx.put(Principal.CONTEXT_KEY, result.result());
        ctx.next();
      }
    });
  }

  /** The token of an {@code Authorization: Bearer} header; other schemes are not the gateway's business. */
  private static String bearerToken(String authorization) {
    if (authorization == null || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return null;
    }
    return authorization.substring(BEARER.length()).trim();
  }

  /** 401 with a challenge for each credential the gateway accepts (RFC 9110 §11.6.1, RFC 6750 §3). */
  private void reject(RoutingContext ctx, ProblemException problem, boolean badToken) {
    String challenge = "ApiKey realm=\"" + REALM + "\", header=\"" + API_KEY + "\"";
    if (authenticator.acceptsBearerTokens()) {
      challenge += ", Bearer realm=\"" + REALM + "\"" + (badToken ? ", error=\"invalid_token\"" : "");
    }
    ctx.response().putHeader("WWW-Authenticate", challenge);
    Problems.send(ctx, problem);
  }
}
