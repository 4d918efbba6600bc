package io.catalogsuite.loadgen;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a request of the mix does, through the gateway's catalog route. */
enum Operation {
  /** {@code GET /api/catalog/products/{id}}, over the hot set, Zipf-popular. */
  GET("get"),
  /** {@code GET /api/catalog/products?category=...}: one page of the run's category. */
  LIST("list"),
  /** {@code GET /api/catalog/products?q=...}: full-text search. */
  SEARCH("search"),
  /** {@code POST /api/catalog/products}: a new product in the run's category, deleted after the run. */
  CREATE("create"),
  /** {@code POST /api/catalog/products/{id}/reservations}: one of a hot product's (ample) stock. */
  RESERVE("reserve"),
  /** {@code POST /api/catalog/imports}: a small NDJSON import of new products, deleted after the run. */
  IMPORT("import");

  private final String label;

  Operation(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  /** Whether it needs the seeded hot set. */
  boolean needsHotSet() {
    return this == GET || this == RESERVE;
  }

  /** Whether it writes, so needs a key with the write role. */
  boolean writes() {
    return this == CREATE || this == RESERVE || this == IMPORT;
  }

  static Operation named(String label) {
    return Arrays.stream(values()).filter(op -> op.label.equals(label)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("--mix: unknown operation '" + label + "'; known: "
            + Arrays.stream(values()).map(Operation::label).collect(Collectors.joining(", "))));
  }
}
