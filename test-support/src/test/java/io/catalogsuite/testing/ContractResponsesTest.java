package io.catalogsuite.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The validator refuses what the document does not say: a status, a content type, a body, a missing body. */
class ContractResponsesTest {
  private static final JsonObject DOCUMENT = new JsonObject("""
      {"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/things/{id}":{"get":{
        "operationId":"getThing","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
        "responses":{
          "200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","required":["id"],
            "properties":{"id":{"type":"integer"}}}}}},
          "304":{"description":"unchanged"},
          "404":{"$ref":"#/components/responses/NotFound"}}}}},
       "components":{"responses":{"NotFound":{"description":"none","content":{"application/problem+json":{
         "schema":{"type":"object","required":["status"],"properties":{"status":{"type":"integer"}}}}}}}}}""");
  private static final ContractResponses CONTRACT = ContractResponses.of(DOCUMENT);

  @AfterAll
  static void close() {
    CONTRACT.close();
  }

  private static void check(int status, String contentType, String body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    CONTRACT.check(HttpMethod.GET, "/things/7?x=1", status, headers, body == null ? null : Buffer.buffer(body));
  }

  @Test
  void documentedResponses_pass() {
    check(200, "application/json", "{\"id\":7}");
    check(304, null, null);
    check(404, "application/problem+json", "{\"status\":404}");
    assertThat(CONTRACT.unchecked()).isEmpty();
  }

  @Test
  void anythingElse_fails() {
    assertThatThrownBy(() -> check(500, "application/json", "{}")).hasMessageContaining("does not declare");
    assertThatThrownBy(() -> check(200, "text/plain", "{\"id\":7}")).hasMessageContaining("declares");
    assertThatThrownBy(() -> check(200, "application/json", "{\"id\":\"seven\"}"))
        .hasMessageContaining("not as the document says");
    assertThatThrownBy(() -> check(404, "application/problem+json", "{}"))
        .hasMessageContaining("not as the document says");
    assertThatThrownBy(() -> check(304, null, "body")).hasMessageContaining("declares none");
    assertThatThrownBy(() -> CONTRACT.check(HttpMethod.POST, "/things/7", 200, MultiMap.caseInsensitiveMultiMap(),
        null)).hasMessageContaining("is no operation");
  }
}
