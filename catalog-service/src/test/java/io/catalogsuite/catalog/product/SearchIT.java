package io.catalogsuite.catalog.product;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Search and sorted listings over 100,000 real products: results, keyset pages, and index use. */
class SearchIT {
  private static final int PRODUCTS = 100_000;
  private static CatalogCluster cluster;
  private static TestHttp http;
  private static SqlClient sql;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(1, 5);
    http = cluster.http(0);
    sql = cluster.sql();
    // 50 name words (2 % of the rows each), 40 categories, prices and stock spread out.
    await(sql.query("""
        INSERT INTO products (sku, name, description, category, price_cents, currency, stock)
        SELECT 'BULK-' || g,
               'Item ' || (ARRAY['lamp','chair','table','desk','sofa','shelf','rug','mirror','clock','vase'])[1 + g % 10]
                 || ' w' || (g % 50),
               'made in batch ' || md5(g::text),
               'cat-' || (g % 40), (g * 7919) % 100000, 'EUR', g % 7
          FROM generate_series(1,\s""" + PRODUCTS + ") g").execute());
    await(sql.query("ANALYZE products").execute());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The node types of a query's plan, from EXPLAIN (FORMAT JSON) with the real parameters. */
  static List<String> planNodes(ProductSearch search) {
    ProductSearch.Sql query = search.toSql();
    Object plan = await(sql.preparedQuery("EXPLAIN (FORMAT JSON) " + query.text()).execute(query.params()))
        .iterator().next().getValue(0);
    List<String> nodes = new ArrayList<>();
    collect(((JsonArray) plan).getJsonObject(0).getJsonObject("Plan"), nodes);
    return nodes;
  }

  private static void collect(JsonObject node, List<String> nodes) {
    nodes.add(node.getString("Node Type") + (node.containsKey("Index Name") ? " " + node.getString("Index Name")
        : node.containsKey("Relation Name") ? " " + node.getString("Relation Name") : ""));
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      children.forEach(child -> collect((JsonObject) child, nodes));
    }
  }

  static ProductSearch search(String q, String category, Long min, Long max, boolean inStock, Sort sort,
      PageCursor after) {
    return new ProductSearch(q, category, min, max, inStock, sort, after, 21);
  }

  @Test
  void everyQueryShape_usesAnIndex_noSequentialScan() {
    List<ProductSearch> shapes = List.of(
        search(null, null, null, null, false, Sort.ID, null),
        search(null, null, null, null, false, Sort.ID, new PageCursor(Sort.ID, null, 50_000)),
        search(null, "cat-7", null, null, false, Sort.ID, null),
        search(null, "cat-7", null, null, false, Sort.ID, new PageCursor(Sort.ID, null, 50_000)),
        search("lamp w3", null, null, null, false, Sort.RELEVANCE, null),
        search("lamp w3", null, null, null, false, Sort.RELEVANCE, new PageCursor(Sort.RELEVANCE, 0.06f, 5_000)),
        search("lamp", "cat-7", null, null, false, Sort.RELEVANCE, null),
        search("chair", null, null, null, true, Sort.PRICE, null),
        search(null, null, null, null, false, Sort.PRICE, null),
        search(null, null, null, null, false, Sort.PRICE, new PageCursor(Sort.PRICE, 50_000L, 1)),
        search(null, null, null, null, false, Sort.PRICE_DESC, new PageCursor(Sort.PRICE_DESC, 50_000L, 1)),
        search(null, null, null, null, false, Sort.NAME, new PageCursor(Sort.NAME, "Item desk w13", 1)),
        search(null, null, null, null, false, Sort.NEWEST, null),
        search(null, null, null, null, true, Sort.NEWEST, null),
        search(null, null, 100L, 5_000L, false, Sort.PRICE, null),
        search(null, "cat-7", null, null, false, Sort.PRICE, new PageCursor(Sort.PRICE, 20_000L, 1)),
        search(null, "cat-7", 100L, 90_000L, true, Sort.PRICE_DESC, null));
    for (ProductSearch shape : shapes) {
      List<String> nodes = planNodes(shape);
      assertThat(nodes).as("%s -> %s", shape.toSql().text(), nodes)
          .noneMatch(node -> node.startsWith("Seq Scan"))
          .anyMatch(node -> node.contains("products_"));
    }
  }

  @Test
  void q_ranksNameMatchesFirst_andFindsBoth() {
    String word = "zq" + Long.toString(System.nanoTime(), 36);
    long inDescription = http.post("/products", product("D-" + word, "Plain thing", word + " inside"))
        .bodyAsJsonObject().getLong("id");
    long inName = http.post("/products", product("N-" + word, "The " + word + " lamp", null))
        .bodyAsJsonObject().getLong("id");
    JsonArray items = http.get("/products?q=" + word).bodyAsJsonObject().getJsonArray("items");
    assertThat(items.stream().map(i -> ((JsonObject) i).getLong("id"))).containsExactly(inName, inDescription);
  }

  @Test
  void filters_priceRangeAndStock() {
    JsonArray items = http.get("/products?category=cat-3&minPrice=1000&maxPrice=2000&inStock=true&sort=price&limit=100")
        .bodyAsJsonObject().getJsonArray("items");
    assertThat(items).isNotEmpty();
    items.forEach(i -> {
      JsonObject p = (JsonObject) i;
      assertThat(p.getString("category")).isEqualTo("cat-3");
      assertThat(p.getLong("priceCents")).isBetween(1000L, 2000L);
      assertThat(p.getInteger("stock")).isPositive();
    });
  }

  @Test
  void everySort_pagesWithoutRepeatOrSkip() {
    String filter = "category=cat-11&minPrice=0&maxPrice=30000";
    Set<Long> all = new HashSet<>();
    JsonObject page = http.get("/products?" + filter + "&limit=100").bodyAsJsonObject();
    walk(filter + "&limit=100", null, all::add);
    for (String sort : List.of("price", "-price", "name", "newest")) {
      List<JsonObject> seen = new ArrayList<>();
      walk(filter + "&limit=37&sort=" + sort, seen::add, null);
      assertThat(seen.stream().map(p -> p.getLong("id")).toList()).as(sort).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(all);
      Comparator<JsonObject> order = switch (sort) {
        case "price" -> Comparator.comparing((JsonObject p) -> p.getLong("priceCents"));
        case "-price" -> Comparator.comparing((JsonObject p) -> p.getLong("priceCents")).reversed();
        case "name" -> Comparator.comparing((JsonObject p) -> p.getString("name"));
        default -> Comparator.comparing((JsonObject p) -> p.getString("createdAt")).reversed();
      };
      assertThat(seen).as(sort).isSortedAccordingTo(order);
    }
    assertThat(page.getJsonArray("items")).isNotEmpty();
  }

  private static void walk(String query, java.util.function.Consumer<JsonObject> items,
      java.util.function.Consumer<Long> ids) {
    String cursor = null;
    for (int pages = 0; pages < 200; pages++) {
      JsonObject page = http.get("/products?" + query + (cursor == null ? "" : "&cursor=" + cursor))
          .bodyAsJsonObject();
      page.getJsonArray("items").forEach(i -> {
        if (items != null) {
          items.accept((JsonObject) i);
        }
        if (ids != null) {
          ids.accept(((JsonObject) i).getLong("id"));
        }
      });
      cursor = page.getString("nextCursor");
      if (cursor == null) {
        return;
      }
    }
    throw new AssertionError("more than 200 pages");
  }

  @Test
  void badParameters_400() {
    for (String query : List.of("q=", "q=" + "x".repeat(201), "minPrice=-1", "maxPrice=abc", "minPrice=9&maxPrice=1",
        "inStock=yes", "sort=cheapest", "sort=relevance", "limit=0",
        "sort=name&cursor=" + new PageCursor(Sort.PRICE, 1L, 1).encode(),
        // Text Postgres cannot take, in a parameter or in a tampered cursor: a 400, not the database's 500.
        "category=%00", "category=a%00b", "q=x%00",
        "sort=name&cursor=" + new PageCursor(Sort.NAME, "a\u0000", 1).encode(),
        // as an attacker writes it: a JSON escape, which Jackson decodes to the lone surrogate
        "sort=name&cursor=" + java.util.Base64.getUrlEncoder().encodeToString(
            "{\"s\":\"name\",\"v\":\"a\\ud800\",\"i\":1}".getBytes(StandardCharsets.UTF_8)))) {
      var response = http.get("/products?" + query);
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
    var injection = http.get("/products?q=" + URLEncoder.encode("'; DROP TABLE products; --", StandardCharsets.UTF_8));
    assertThat(injection.statusCode()).isEqualTo(200);
  }

  static JsonObject product(String sku, String name, String description) {
    return new JsonObject().put("sku", sku).put("name", name).put("description", description)
        .put("category", "search-test").put("priceCents", 100).put("currency", "EUR").put("stock", 1);
  }
}
