package io.catalogsuite.common.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a node sends its traces, read from OpenTelemetry's own variables (those of its SDK's autoconfiguration, so
 * an operator's habits carry over). Without an endpoint the node has no tracer at all (common's {@code Tracing}).
 *
 * @param otlpEndpoint {@code OTEL_EXPORTER_OTLP_ENDPOINT}: the collector's OTLP/HTTP base URL, such as
 *                     {@code http://collector:4318}; spans go to its {@code /v1/traces} (OTLP over HTTP with
 *                     protobuf, the protocol OpenTelemetry names as the default; {@code OTEL_EXPORTER_OTLP_PROTOCOL}
 *                     may only say so). Empty: no tracing
 * @param otlpHeaders  {@code OTEL_EXPORTER_OTLP_HEADERS}: {@code key=value} pairs, separated by commas and
 *                     percent-encoded, sent with every export (a collector's API key, say); a secret, never shown
 * @param serviceName  {@code OTEL_SERVICE_NAME}: the {@code service.name} the spans carry; the node's service by
 *                     default
 * @param sampler      {@code OTEL_TRACES_SAMPLER}: which traces are recorded; {@code parentbased_always_on} by
 *                     default (all, and whatever a caller's {@code traceparent} decided)
 * @param samplerRatio {@code OTEL_TRACES_SAMPLER_ARG}: the share of traces the two ratio samplers record, from 0
 *                     to 1 (default 1); refused with any other sampler, which would ignore it
 */
public record TracingConfig(Optional<URI> otlpEndpoint, Map<String, String> otlpHeaders, String serviceName,
    Sampler sampler, double samplerRatio) {

  /** OpenTelemetry's sampler names ({@code OTEL_TRACES_SAMPLER}), but for the remote and custom ones. */
  public enum Sampler {
    ALWAYS_ON, ALWAYS_OFF, TRACEIDRATIO, PARENTBASED_ALWAYS_ON, PARENTBASED_ALWAYS_OFF, PARENTBASED_TRACEIDRATIO;

    public boolean usesRatio() {
      return this == TRACEIDRATIO || this == PARENTBASED_TRACEIDRATIO;
    }

    /** As the variable spells it. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  private static final String HEADERS = "OTEL_EXPORTER_OTLP_HEADERS";
  private static final String PROTOCOL = "http/protobuf";

  public TracingConfig {
    Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
    otlpHeaders = Map.copyOf(otlpHeaders);
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(sampler, "sampler");
    ConfigException.require(samplerRatio >= 0 && samplerRatio <= 1,
        "OTEL_TRACES_SAMPLER_ARG must be from 0 to 1, got %s", samplerRatio);
  }

  /** No tracing: what a node has unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set. */
  public static TracingConfig off(String serviceName) {
    return new TracingConfig(Optional.empty(), Map.of(), serviceName, Sampler.PARENTBASED_ALWAYS_ON, 1);
  }

  static TracingConfig fromEnv(Env env, String serviceName) {
    env.optional("OTEL_EXPORTER_OTLP_PROTOCOL").ifPresent(protocol -> ConfigException.require(
        protocol.equals(PROTOCOL), "OTEL_EXPORTER_OTLP_PROTOCOL may only be %s (OTLP over HTTP, the collector's"
            + " port 4318), got '%s'", PROTOCOL, protocol));
    Sampler sampler = env.choice("OTEL_TRACES_SAMPLER", Sampler.class, Sampler.PARENTBASED_ALWAYS_ON);
    env.optional("OTEL_TRACES_SAMPLER_ARG").ifPresent(arg -> ConfigException.require(sampler.usesRatio(),
        "OTEL_TRACES_SAMPLER_ARG is a ratio, read by the traceidratio and parentbased_traceidratio samplers only;"
            + " OTEL_TRACES_SAMPLER is %s", sampler));
    return new TracingConfig(env.optional(ENDPOINT).map(TracingConfig::endpoint),
        env.optional(HEADERS).map(TracingConfig::headers).orElse(Map.of()),
        env.string("OTEL_SERVICE_NAME", serviceName), sampler,
        env.decimal("OTEL_TRACES_SAMPLER_ARG", 1, 0, 1));
  }

  /** Where spans are exported: the endpoint's {@code /v1/traces}, as OpenTelemetry's base endpoint means. */
  public Optional<URI> tracesUrl() {
    return otlpEndpoint.map(base -> URI.create(base.toString().replaceAll("/+$", "") + "/v1/traces"));
  }

  private static URI endpoint(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
      throw new ConfigException(ENDPOINT + " must be an http:// or https:// URL without query, such as"
          + " http://collector:4318, got '" + (uri != null && uri.getUserInfo() != null ? "(credentials)" : value)
          + "'");
    }
    // The URL is shown at /admin/config and in logs: what authenticates goes in the headers, which never are.
    ConfigException.require(uri.getUserInfo() == null, "%s must not carry credentials (user:password@); send"
        + " them in %s", ENDPOINT, HEADERS);
    return uri;
  }

  /** {@code key=value,...}; a malformed entry is named by its position, never shown: it may hold a secret. */
  private static Map<String, String> headers(String value) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      int equals = entry.indexOf('=');
      ConfigException.require(equals > 0, "%s must be key=value pairs separated by commas; entry %d is not"
          + " (its value is not shown)", HEADERS, i + 1);
      try {
        // Percent-decoding only: a '+' (in a Base64 token, say) stays a '+'.
        headers.put(entry.substring(0, equals).trim(),
            URLDecoder.decode(entry.substring(equals + 1).trim().replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(HEADERS + ": entry " + (i + 1) + " has a malformed percent-encoding"
            + " (its value is not shown)");
      }
    }
    return headers;
  }

  /** The settings, but the headers' values: whether there are any. */
  public JsonObject describe() {
    return new JsonObject()
        .put("otlpEndpoint", otlpEndpoint.map(URI::toString).orElse(null))
        .put("otlpHeaders", otlpHeaders.isEmpty() ? null : "(set, not shown)")
        .put("serviceName", serviceName)
        .put("sampler", sampler.toString())
        .put("samplerRatio", samplerRatio);
  }
}
