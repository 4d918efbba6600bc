package io.catalogsuite.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingConfigTest {
  private static TracingConfig tracing(Map<String, String> vars) {
    return NodeConfig.fromEnv("catalog-service", 8081, vars).tracing();
  }

  @Test
  void off_withoutAnEndpoint() {
    TracingConfig config = tracing(Map.of());
    assertThat(config.otlpEndpoint()).isEmpty();
    assertThat(config.tracesUrl()).isEmpty();
    assertThat(config.serviceName()).isEqualTo("catalog-service");
    assertThat(config.sampler()).isEqualTo(TracingConfig.Sampler.PARENTBASED_ALWAYS_ON);
    assertThat(config).isEqualTo(TracingConfig.off("catalog-service"));
  }

  @Test
  void endpoint_spansGoToItsTracesPath() {
    assertThat(tracing(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).tracesUrl())
        .contains(URI.create("http://collector:4318/v1/traces"));
    assertThat(tracing(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otlp.example/base/")).tracesUrl())
        .contains(URI.create("https://otlp.example/base/v1/traces"));
  }

  @Test
  void endpoint_notAnHttpUrl_refusedNamingTheVariable() {
    for (String bad : List.of("collector:4318", "ftp://collector", "http://", "not a url", "http://c:4318/?x=1")) {
      assertThatThrownBy(() -> tracing(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL")
          .hasMessageContaining("got '" + bad + "'");
    }
  }

  @Test
  void endpoint_withCredentials_refusedWithoutShowingThem() {
    assertThatThrownBy(() -> tracing(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://me:s3cret@collector:4318")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT must not carry credentials")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void headers_parsedAndNeverShown() {
    TracingConfig config = tracing(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a+b/c%3D%3D, x-tenant = shop"));
    assertThat(config.otlpHeaders()).containsExactlyInAnyOrderEntriesOf(
        Map.of("api-key", "a+b/c==", "x-tenant", "shop"));
    JsonObject shown = NodeConfig.fromEnv("catalog-service", 8081, Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret")).describe().getJsonObject("tracing");
    assertThat(shown.encode()).doesNotContain("s3cret");
    assertThat(shown.getString("otlpHeaders")).isEqualTo("(set, not shown)");
    assertThat(shown.getString("otlpEndpoint")).isEqualTo("http://collector:4318");
    assertThatThrownBy(() -> tracing(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "api-key=ok,s3cret")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas; entry 2 is not"
            + " (its value is not shown)");
  }

  @Test
  void serviceName_andSampler() {
    TracingConfig config = tracing(Map.of("OTEL_SERVICE_NAME", "catalog-eu",
        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.25"));
    assertThat(config.serviceName()).isEqualTo("catalog-eu");
    assertThat(config.sampler()).isEqualTo(TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO);
    assertThat(config.samplerRatio()).isEqualTo(0.25);
    assertThat(config.describe().getString("sampler")).isEqualTo("parentbased_traceidratio");
  }

  @Test
  void sampler_neverGuesses() {
    assertThatThrownBy(() -> tracing(Map.of("OTEL_TRACES_SAMPLER", "sometimes")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("OTEL_TRACES_SAMPLER must be one of");
    assertThatThrownBy(() -> tracing(Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("OTEL_TRACES_SAMPLER_ARG must be a number from 0.0 to 1.0, got '2'");
    // A ratio the default sampler would ignore.
    assertThatThrownBy(() -> tracing(Map.of("OTEL_TRACES_SAMPLER_ARG", "0.1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_TRACES_SAMPLER is parentbased_always_on");
  }

  @Test
  void protocol_onlyHttpProtobuf() {
    assertThat(tracing(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")).otlpEndpoint()).isEmpty();
    assertThatThrownBy(() -> tracing(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("OTEL_EXPORTER_OTLP_PROTOCOL may only be http/protobuf");
  }
}
