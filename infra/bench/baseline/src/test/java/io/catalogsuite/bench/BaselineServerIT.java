package io.catalogsuite.bench;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.SqlClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The baseline server against a real Postgres holding the catalog's products table. */
class BaselineServerIT {
  /** The catalog's own migration, so the table is the one the catalog reads. */
  private static final Path PRODUCTS_TABLE =
      Path.of("../../../catalog-service/src/main/resources/db/migration/V1__products.sql");
  private static Vertx vertx;
  private static SqlClient sql;
  private static TestHttp http;

  @BeforeAll
  static void start() throws IOException {
    String database = TestPostgres.createDatabase();
    vertx = Vertx.vertx();
    sql = PgBuilder.client().connectingTo(database).using(vertx).build();
    await(sql.query(Files.readString(PRODUCTS_TABLE)).execute());
    int port = await(BaselineServer.start(vertx, database, 0, 2));
    http = new TestHttp(port);
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void servesAProduct_asTheCatalogEncodesIt() {
    long id = await(sql.query("""
        INSERT INTO products (sku, name, description, category, price_cents, currency, stock, attributes)
        VALUES ('BASE-1', 'Desk lamp', null, 'home', 1999, 'EUR', 25, '{"colour":"black"}')
        RETURNING id""").execute()).iterator().next().getLong("id");

    HttpResponse<Buffer> response = http.get("/products/" + id);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.getHeader("ETag")).isEqualTo("\"1\"");
    JsonObject product = response.bodyAsJsonObject();
    assertThat(product.fieldNames()).containsExactly("id", "sku", "name", "description", "category",
        "priceCents", "currency", "stock", "attributes", "version", "createdAt", "updatedAt");
    assertThat(product.getLong("id")).isEqualTo(id);
    assertThat(product.getString("sku")).isEqualTo("BASE-1");
    assertThat(product.getValue("description")).isNull();
    assertThat(product.getLong("priceCents")).isEqualTo(1999);
    assertThat(product.getJsonObject("attributes")).isEqualTo(new JsonObject().put("colour", "black"));
    assertThat(product.getString("createdAt")).endsWith("Z");
  }

  @Test
  void unknownProduct_is404() {
    HttpResponse<Buffer> response = http.get("/products/987654321");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject().getString("detail")).isEqualTo("no product with id 987654321");
    assertThat(http.get("/products/abc").statusCode()).isEqualTo(404);
  }
}
