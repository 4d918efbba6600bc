package io.catalogsuite.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProtectionConfigTest {
  private static final String SECRET = "an-hs256-secret-of-at-least-32-bytes!";

  @Test
  void defaults_noCredentials_generousLocalLimits() {
    ProtectionConfig config = ProtectionConfig.fromEnv(Map.of());
    assertThat(config.apiKeys().isEmpty()).isTrue();
    assertThat(config.jwt()).isEmpty();
    assertThat(config.rateLimits().forPrefix("/api/catalog")).contains(new RateLimit(200, Duration.ofSeconds(1), 400));
    assertThat(config.rateLimits().scope()).isEqualTo(RateLimits.Scope.LOCAL);
    assertThat(config.rateLimits().syncIntervalMs()).isEqualTo(200);
  }

  @Test
  void rateLimits_perRoute_andOff() {
    RateLimits limits = ProtectionConfig.fromEnv(Map.of("RATE_LIMITS", "/api/catalog=100/s:200,/api/cache=off",
        "RATE_LIMIT_DEFAULT", "10/m", "RATE_LIMIT_SCOPE", "cluster")).rateLimits();
    assertThat(limits.forPrefix("/api/catalog")).contains(new RateLimit(100, Duration.ofSeconds(1), 200));
    assertThat(limits.forPrefix("/api/cache")).isEmpty();
    assertThat(limits.forPrefix("/admin")).contains(new RateLimit(10, Duration.ofMinutes(1), 10));
    assertThat(limits.scope()).isEqualTo(RateLimits.Scope.CLUSTER);
    assertThatThrownBy(() -> limits.requireKnownPrefixes(List.of("/api/catalog", "/admin")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("/api/cache");
  }

  @Test
  void malformedRateLimits_failFast() {
    for (Map<String, String> env : List.of(Map.of("RATE_LIMITS", "/api/catalog"), Map.of("RATE_LIMITS",
        "/api/catalog=100/d"), Map.of("RATE_LIMITS", "/api/x=1/s,/api/x=2/s"), Map.of("RATE_LIMIT_DEFAULT", "0/s"),
        Map.of("RATE_LIMIT_SCOPE", "global"), Map.of("RATE_LIMIT_SYNC_MS", "1"))) {
      assertThatThrownBy(() -> ProtectionConfig.fromEnv(env)).as(env.toString())
          .isInstanceOf(ConfigException.class).hasMessageContaining(env.keySet().iterator().next());
    }
  }

  @Test
  void jwt_hs256AndRs256_normalisesThePem() throws Exception {
    var generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String body = Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
    JwtSettings jwt = ProtectionConfig.fromEnv(Map.of("JWT_HS256_SECRET", SECRET, "JWT_RS256_PUBLIC_KEY",
        "-----BEGIN PUBLIC KEY-----\\n" + body + "\\n-----END PUBLIC KEY-----", "JWT_ISSUER", "https://issuer",
        "JWT_AUDIENCE", "catalog,cache")).jwt().orElseThrow();
    assertThat(jwt.algorithms()).containsExactly("HS256", "RS256");
    assertThat(jwt.rs256PublicKey().orElseThrow()).startsWith("-----BEGIN PUBLIC KEY-----\n")
        .endsWith("\n-----END PUBLIC KEY-----\n");
    assertThat(jwt.audiences()).containsExactly("catalog", "cache");
    assertThat(jwt.rolesClaim()).isEqualTo("roles");
    assertThat(jwt.toString()).doesNotContain(SECRET);
  }

  @Test
  void jwt_badValues_failFast_withoutShowingTheSecret() {
    assertThatThrownBy(() -> ProtectionConfig.fromEnv(Map.of("JWT_HS256_SECRET", "too-short-secret")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_HS256_SECRET")
        .message().doesNotContain("too-short-secret");
    assertThatThrownBy(() -> ProtectionConfig.fromEnv(Map.of("JWT_RS256_PUBLIC_KEY", "not a key")))
        .hasMessageContaining("JWT_RS256_PUBLIC_KEY");
    assertThatThrownBy(() -> ProtectionConfig.fromEnv(Map.of("JWT_ISSUER", "https://issuer")))
        .hasMessageContaining("JWT_ISSUER");
    assertThat(ProtectionConfig.fromEnv(Map.of("JWT_HS256_SECRET", " ")).jwt()).isEqualTo(Optional.empty());
  }
}
