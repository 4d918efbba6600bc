package io.catalogsuite.catalog.imports;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.product.ProductValidator;
import io.catalogsuite.common.http.FieldError;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedBatchTest {
  private static final ProductValidator VALIDATOR = new ProductValidator();

  private static String product(String sku, String name) {
    return new JsonObject().put("sku", sku).put("name", name).put("category", "c").put("priceCents", 100)
        .put("currency", "EUR").put("stock", 1).encode();
  }

  @Test
  void duplicateSkus_lastLineWins_earlierOnesCountAsDone() {
    ParsedBatch parsed = ParsedBatch.parse(10, List.of(product("B", "first"), product("A", "a"),
        product("B", "second"), product("B", "third")), VALIDATOR);
    assertThat(parsed.rows()).extracting(row -> row.product().sku() + "@" + row.line() + ":" + row.product().name())
        .containsExactly("A@11:a", "B@13:third"); // one per sku, in sku order (the lock order)
    assertThat(parsed.valid()).isEqualTo(4);
    assertThat(parsed.errors()).isEmpty();
    assertThat(parsed.failed()).isZero();
  }

  @Test
  void badLines_becomeErrorsOfTheirLine_andTheRestGoesOn() {
    ParsedBatch parsed = ParsedBatch.parse(1, Arrays.asList(
        "{\"sku\": ",                                                  // 1
        "[1, 2]",                                                      // 2
        "",                                                            // 3: blank
        new JsonObject(product("X", "x")).put("priceCents", -1).put("currency", "eu").encode(), // 4
        null,                                                          // 5: refused on receipt
        product("OK-1", "fine"),                                       // 6
        "{\"sku\": \"A\"} trailing",                                   // 7
        new JsonObject(product("Y", "nul\u0000")).encode()),           // 8
        VALIDATOR);
    assertThat(parsed.rows()).extracting(row -> row.line()).containsExactly(6L);
    assertThat(parsed.valid()).isEqualTo(1);
    assertThat(parsed.errors()).extracting(LineError::line).containsExactly(1L, 2L, 4L, 7L, 8L);
    assertThat(parsed.errors().get(0).reason()).isEqualTo("not JSON");
    assertThat(parsed.errors().get(1).reason()).isEqualTo("not a JSON object");
    assertThat(parsed.errors().get(2).reason()).startsWith("/priceCents: ").contains("; /currency: ");
    assertThat(parsed.errors().get(3).reason()).isEqualTo("not JSON");
    assertThat(parsed.errors().get(4).reason()).isEqualTo("/name: must not contain the NUL character (U+0000) or unpaired surrogates");
    assertThat(parsed.failed()).isEqualTo(6); // 5 found now, 1 refused on receipt
  }

  @Test
  void reason_listsEveryField() {
    assertThat(ParsedBatch.reason(List.of(new FieldError("/sku", "is required"),
        new FieldError("/stock", "must be >= 0")))).isEqualTo("/sku: is required; /stock: must be >= 0");
  }
}
