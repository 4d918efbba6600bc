package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * How bearer tokens (JWT) are validated: signed with HS256 and a shared secret, or RS256 and a public key, or
 * either when both are configured. A token must be signed by one of them, carry {@code sub} and {@code exp},
 * not be expired nor used before its {@code nbf}, and match the issuer and audience when they are configured.
 *
 * @param hs256Secret    {@code JWT_HS256_SECRET}: the shared secret, at least 32 bytes (RFC 7518 §3.2)
 * @param rs256PublicKey {@code JWT_RS256_PUBLIC_KEY}: an RSA public key as PEM ({@code BEGIN PUBLIC KEY}), with or
 *                       without line breaks; here normalised to a PEM with line breaks
 * @param issuer         {@code JWT_ISSUER}: the {@code iss} a token must have, if set
 * @param audiences      {@code JWT_AUDIENCE}: comma-separated; a token's {@code aud} must name one, if set
 * @param rolesClaim     {@code JWT_ROLES_CLAIM}: the top-level claim holding the roles (array, or a string of
 *                       space-separated roles)
 * @param leewaySeconds  {@code JWT_LEEWAY_SECONDS}: clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}
 */
public record JwtSettings(Optional<String> hs256Secret, Optional<String> rs256PublicKey, Optional<String> issuer,
    List<String> audiences, String rolesClaim, int leewaySeconds) {

  private static final int MIN_SECRET_BYTES = 32;

  public JwtSettings {
    audiences = List.copyOf(audiences);
  }

  /** The settings, or empty when neither a secret nor a public key is configured (bearer tokens are refused). */
  static Optional<JwtSettings> fromEnv(Env env) {
    Optional<String> secret = env.optional("JWT_HS256_SECRET");
    Optional<String> publicKey = env.optional("JWT_RS256_PUBLIC_KEY").map(JwtSettings::pem);
    Optional<String> issuer = env.optional("JWT_ISSUER");
    List<String> audiences = env.list("JWT_AUDIENCE", "");
    if (secret.isEmpty() && publicKey.isEmpty()) {
      if (issuer.isPresent() || !audiences.isEmpty()) {
        throw new ConfigException("JWT_ISSUER and JWT_AUDIENCE need JWT_HS256_SECRET or JWT_RS256_PUBLIC_KEY");
      }
      return Optional.empty();
    }
    if (secret.isPresent() && secret.get().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_HS256_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
    }
    return Optional.of(new JwtSettings(secret, publicKey, issuer, audiences,
        env.string("JWT_ROLES_CLAIM", "roles"), env.integer("JWT_LEEWAY_SECONDS", 30, 0, 600)));
  }

  /** Checks that the value is an RSA public key and returns it as a PEM Vert.x reads. */
  private static String pem(String value) {
    String body = value.replace("\\n", "\n")
        .replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
      KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new ConfigException("JWT_RS256_PUBLIC_KEY must be an RSA public key in PEM "
          + "(-----BEGIN PUBLIC KEY-----); it could not be read (" + e.getClass().getSimpleName() + ")");
    }
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The signature algorithms accepted. */
  List<String> algorithms() {
    List<String> algorithms = new ArrayList<>();
    hs256Secret.ifPresent(secret -> algorithms.add("HS256"));
    rs256PublicKey.ifPresent(key -> algorithms.add("RS256"));
    return algorithms;
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "JwtSettings[algorithms=" + algorithms() + ", issuer=" + issuer.orElse("any") + ", audiences="
        + audiences + ", rolesClaim=" + rolesClaim + ", leewaySeconds=" + leewaySeconds + "]";
  }
}
