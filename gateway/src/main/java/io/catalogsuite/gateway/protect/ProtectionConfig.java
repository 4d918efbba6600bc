package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.Env;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's protection, read once from the environment: who may do what (authentication and access rules)
 * and how much (rate limits). See README, "Protection".
 *
 * @param apiKeys    {@code GATEWAY_API_KEYS}: {@code name:key:roles} entries, comma-separated, roles separated by
 *                   {@code |}; the key goes in the {@code X-API-Key} header
 * @param jwt        {@code JWT_*}: how bearer tokens are validated; empty when no key is configured
 * @param policy     {@code GATEWAY_AUTH_RULES}: which requests need which credential
 * @param rateLimits {@code RATE_LIMIT_DEFAULT}, {@code RATE_LIMITS}, {@code RATE_LIMIT_SCOPE},
 *                   {@code RATE_LIMIT_SYNC_MS}
 * @param authFailureLimit {@code AUTH_FAILURE_LIMIT}: refused credentials per client address (see
 *                   {@link AuthFailures}); empty when {@code off}
 */
public record ProtectionConfig(ApiKeys apiKeys, Optional<JwtSettings> jwt, AccessPolicy policy,
    RateLimits rateLimits, Optional<RateLimit> authFailureLimit) {
  static final String DEFAULT_AUTH_FAILURE_LIMIT = "30/m:20";

  public static ProtectionConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    return new ProtectionConfig(
        ApiKeys.parse(env.list(ApiKeys.VARIABLE, "")),
        JwtSettings.fromEnv(env),
        AccessPolicy.parse(env.list(AccessPolicy.VARIABLE, AccessPolicy.DEFAULT_RULES)),
        RateLimits.fromEnv(env),
        RateLimit.parse("AUTH_FAILURE_LIMIT", env.string("AUTH_FAILURE_LIMIT", DEFAULT_AUTH_FAILURE_LIMIT)));
  }

  /** What is in force, with no secret: key names and roles, the JWT checks, the rules and the limits. */
  public JsonObject describe() {
    return new JsonObject()
        .put("apiKeys", apiKeys.describe())
        .put("jwt", jwt.map(JwtSettings::toString).orElse(null)) // its toString never shows the secret
        .put("authRules", new JsonArray(policy.describe()))
        .put("rateLimits", rateLimits.toString())
        .put("authFailureLimit", authFailureLimit.map(RateLimit::toString).orElse("off"));
  }
}
