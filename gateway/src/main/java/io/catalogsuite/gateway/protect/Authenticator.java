package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a presented credential into a {@link Principal}, or fails with a 401 problem. The failure never says more
 * than which kind of credential was refused: the reasons Vert.x gives for a bad token are not passed on, and
 * nothing presented is ever logged or echoed.
 */
final class Authenticator {
  private final ApiKeys apiKeys;
  private final Optional<JwtSettings> jwtSettings;
  private final JWTAuth jwt;

  /** One per event loop: {@link JWTAuth} is cheap, and nothing is shared between loops. */
  Authenticator(Vertx vertx, ApiKeys apiKeys, Optional<JwtSettings> jwtSettings) {
    this.apiKeys = apiKeys;
    this.jwtSettings = jwtSettings;
    this.jwt = jwtSettings.map(settings -> JWTAuth.create(vertx, options(settings))).orElse(null);
  }

  private static JWTAuthOptions options(JwtSettings settings) {
    JWTOptions validation = new JWTOptions().setLeeway(settings.leewaySeconds());
    settings.issuer().ifPresent(validation::setIssuer);
    if (!settings.audiences().isEmpty()) {
      validation.setAudience(settings.audiences());
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(validation);
    settings.hs256Secret().ifPresent(secret ->
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    settings.rs256PublicKey().ifPresent(pem ->
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem)));
    return options;
  }

  boolean acceptsBearerTokens() {
    return jwt != null;
  }

  Future<Principal> apiKey(String key) {
    return apiKeys.verify(key).map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(ProblemException.unauthorized("the API key is not valid")));
  }

  Future<Principal> bearer(String token) {
    if (jwt == null) {
      return Future.failedFuture(ProblemException.unauthorized(
          "bearer tokens are not accepted here; send an API key in X-API-Key"));
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // Vert.x throws for some malformed claims ("exp": null) instead of failing the future.
      authenticated = Future.failedFuture(e);
    }
    return authenticated
        .map(user -> principal(user.attributes().getJsonObject("accessToken", new JsonObject())))
        .recover(failure -> Future.failedFuture(failure instanceof ProblemException ? failure
            : ProblemException.unauthorized("the bearer token is not a valid JWT (signature, expiry, issuer or "
                + "audience); API keys go in X-API-Key")));
  }

  /** The token's subject and roles; a token without {@code sub} or {@code exp} is refused. */
  private Principal principal(JsonObject claims) {
    String subject = claims.getValue("sub") instanceof String sub && !sub.isBlank() ? sub : null;
    if (subject == null || !(claims.getValue("exp") instanceof Number)) {
      throw ProblemException.unauthorized("the bearer token must have a subject (sub) and an expiry (exp)");
    }
    return new Principal(subject, roles(claims.getValue(jwtSettings.orElseThrow().rolesClaim())));
  }

  /** An array of strings, or one string of space-separated roles (like OAuth's {@code scope}). */
  private static Set<String> roles(Object claim) {
    Set<String> roles = new HashSet<>();
    if (claim instanceof JsonArray array) {
      array.forEach(role -> {
        if (role instanceof String name && !name.isBlank()) {
          roles.add(name);
        }
      });
    } else if (claim instanceof String names) {
      Arrays.stream(names.trim().split("\\s+")).filter(name -> !name.isEmpty()).forEach(roles::add);
    }
    return roles;
  }
}
