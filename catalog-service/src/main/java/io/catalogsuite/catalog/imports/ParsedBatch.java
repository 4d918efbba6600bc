package io.catalogsuite.catalog.imports;

import io.catalogsuite.catalog.product.ProductInput;
import io.catalogsuite.catalog.product.ProductValidator;
import io.catalogsuite.common.http.FieldError;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines of one batch, read and validated: the rows to write and the lines that failed.
 *
 * <p>A line is a product as {@code POST /products} takes it, checked by the same {@link ProductValidator}. When
 * several lines of the batch have the same sku only the last is written (Postgres refuses to upsert one row
 * twice in one statement); the earlier ones count as done and overwritten, as they would be written one after
 * the other.
 *
 * @param rows   what to upsert, at most one per sku, in sku order (the order rows are locked in, the same for
 *               every batch, so two batches sharing skus cannot deadlock)
 * @param valid  lines that passed validation, overwritten ones included
 * @param errors why each invalid line failed, found now
 * @param failed every failed line: {@code errors} and the lines already refused on receipt
 */
record ParsedBatch(List<Row> rows, int valid, List<LineError> errors, int failed) {
  private static final Logger log = LoggerFactory.getLogger(ParsedBatch.class);

  /** One product to write, and the line it came from. */
  record Row(long line, ProductInput product) {
  }

  /**
   * Reads a batch: {@code lines.get(i)} is line {@code firstLine + i} of the upload; a null element was refused on
   * receipt (its error is stored already), an empty one was blank.
   */
  static ParsedBatch parse(long firstLine, List<String> lines, ProductValidator validator) {
    Map<String, Row> lastBySku = new HashMap<>();
    List<LineError> errors = new ArrayList<>();
    int valid = 0;
    int refusedOnReceipt = 0;
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      long line = firstLine + i;
      if (text == null) {
        refusedOnReceipt++;
      } else if (!text.isEmpty()) {
        try {
          ProductInput product = read(text, validator);
          lastBySku.put(product.sku(), new Row(line, product));
          valid++;
        } catch (Refused e) {
          errors.add(new LineError(line, e.getMessage()));
        } catch (RuntimeException e) { // a bug, not the line's fault: logged, and the rest of the batch goes on
          log.warn("Import line {} could not be read", line, e);
          errors.add(new LineError(line, "could not be read as a product"));
        }
      }
    }
    List<Row> rows = lastBySku.values().stream().sorted(Comparator.comparing(row -> row.product().sku())).toList();
    return new ParsedBatch(rows, valid, List.copyOf(errors), errors.size() + refusedOnReceipt);
  }

  /** The product on one line. */
  private static ProductInput read(String text, ProductValidator validator) throws Refused {
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new Refused("not JSON");
    }
    if (!(value instanceof JsonObject object)) {
      throw new Refused("not a JSON object");
    }
    try {
      return validator.validate(object);
    } catch (ProblemException invalid) { // the validator's 400 for POST /products, with one error per field
      throw new Refused(reason(invalid.errors()));
    }
  }

  /** A line that is not a valid product; the message says why. */
  private static final class Refused extends Exception {
    Refused(String reason) {
      super(reason, null, false, false); // an expected outcome: no stack trace
    }
  }

  /** Every invalid field of a line, as one reason: {@code /priceCents: must be >= 0; /sku: is required}. */
  static String reason(List<FieldError> fields) {
    return fields.stream().map(field -> field.field() + ": " + field.message()).collect(Collectors.joining("; "));
  }
}
