package io.catalogsuite.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private static final AccessPolicy DEFAULT = ProtectionConfig.fromEnv(java.util.Map.of()).policy();

  @Test
  void defaultRules_readsPublic_writesNeedWriteOrAdmin_adminNeedsAdmin() {
    for (HttpMethod read : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS)) {
      assertThat(DEFAULT.requirementFor(read, "/api/catalog/products").isPublic()).isTrue();
    }
    for (HttpMethod write : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
      assertThat(DEFAULT.requirementFor(write, "/api/catalog/products/1").roles())
          .containsExactly("write", "admin");
    }
    assertThat(DEFAULT.requirementFor(HttpMethod.GET, "/admin/services").roles()).containsExactly("admin");
    assertThat(DEFAULT.requirementFor(HttpMethod.GET, "/api").isPublic()).isTrue();
  }

  @Test
  void defaultRules_definingACacheMapNeedsAdmin_writingItsEntriesWrite() {
    assertThat(DEFAULT.requirementFor(HttpMethod.PUT, "/api/cache/maps/sessions").roles()).containsExactly("admin");
    assertThat(DEFAULT.requirementFor(HttpMethod.PUT, "/api/cache/maps/sessions/entries/k").roles())
        .containsExactly("write", "admin");
    assertThat(DEFAULT.requirementFor(HttpMethod.GET, "/api/cache/maps/sessions").isPublic()).isTrue();
  }

  @Test
  void aStarSegment_standsForExactlyOneSegment() {
    AccessPolicy policy = AccessPolicy.parse(List.of("PUT /a/*/c=editor", "PUT /b/*/**=reviewer", "PUT /**=public"));
    assertThat(policy.requirementFor(HttpMethod.PUT, "/a/x/c").roles()).containsExactly("editor");
    assertThat(policy.requirementFor(HttpMethod.PUT, "/a/some-thing.1/c").roles()).containsExactly("editor");
    for (String other : List.of("/a/c", "/a//c", "/a/x/y/c", "/a/x/c/d", "/a/x/cd", "/a/x")) {
      assertThat(policy.requirementFor(HttpMethod.PUT, other).isPublic()).as(other).isTrue();
    }
    assertThat(policy.requirementFor(HttpMethod.PUT, "/b/x").roles()).containsExactly("reviewer");
    assertThat(policy.requirementFor(HttpMethod.PUT, "/b/x/y/z").roles()).containsExactly("reviewer");
    assertThat(policy.requirementFor(HttpMethod.PUT, "/b").isPublic()).isTrue();
    assertThat(policy.requirementFor(HttpMethod.PUT, "/").isPublic()).isTrue();
    assertThat(AccessPolicy.parse(List.of("GET /=public")).requirementFor(HttpMethod.GET, "/").isPublic()).isTrue();
    assertThat(AccessPolicy.parse(List.of("GET /=public")).requirementFor(HttpMethod.GET, "/x").isPublic()).isFalse();
  }

  @Test
  void unmatchedRequest_needsAdmin() {
    assertThat(DEFAULT.requirementFor(HttpMethod.GET, "/apix/catalog").roles()).containsExactly("admin");
    assertThat(DEFAULT.requirementFor(HttpMethod.GET, "/other").isPublic()).isFalse();
  }

  @Test
  void firstMatchWins_exactPathsAndPrefixes() {
    AccessPolicy policy = AccessPolicy.parse(List.of("GET /api/cache/maps=authenticated",
        "GET|HEAD /api/**=public", "* /api/catalog/**=editor", "DELETE /**=admin"));
    assertThat(policy.requirementFor(HttpMethod.GET, "/api/cache/maps")).isEqualTo(
        AccessPolicy.Requirement.AUTHENTICATED);
    assertThat(policy.requirementFor(HttpMethod.GET, "/api/cache/maps/products").isPublic()).isTrue();
    assertThat(policy.requirementFor(HttpMethod.PUT, "/api/catalog").roles()).containsExactly("editor");
    assertThat(policy.requirementFor(HttpMethod.DELETE, "/api/cache/x").roles()).containsExactly("admin");
    assertThat(policy.requirementFor(HttpMethod.POST, "/api/cache/x").roles()).containsExactly("admin"); // none
  }

  @Test
  void requirement_allows() {
    Principal writer = new Principal("ci", Set.of("write"));
    Principal nobody = new Principal("reader", Set.of());
    assertThat(AccessPolicy.Requirement.anyOf(Set.of("write", "admin")).allows(writer)).isTrue();
    assertThat(AccessPolicy.Requirement.anyOf(Set.of("admin")).allows(writer)).isFalse();
    assertThat(AccessPolicy.Requirement.AUTHENTICATED.allows(nobody)).isTrue();
    assertThat(AccessPolicy.Requirement.anyOf(Set.of("write")).allows(nobody)).isFalse();
  }

  @Test
  void malformedRules_failFast_namingTheVariable() {
    for (String rule : List.of("/api/**=public", "GET /api/**", "FETCH /api/**=public", "GET api/**=public",
        "GET /api/**/x=public", "GET /api/*x=public", "GET /api/**=wri te", "GET /api/**=")) {
      assertThatThrownBy(() -> AccessPolicy.parse(List.of(rule))).as(rule)
          .isInstanceOf(ConfigException.class).hasMessageStartingWith("GATEWAY_AUTH_RULES");
    }
  }
}
