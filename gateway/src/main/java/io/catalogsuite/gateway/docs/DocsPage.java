package io.catalogsuite.gateway.docs;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@value #PATH}: the gateway's OpenAPI document in Swagger UI, from the gateway's jar (the page and its script) and
 * Swagger UI's WebJar, with nothing fetched from elsewhere. Like the dashboard's page it holds no data and loads
 * without a credential; "Authorize" in the page sends one with the requests a reader tries.
 */
public final class DocsPage {
  public static final String PATH = "/docs";
  public static final String ASSETS = PATH + "/assets/*";
  public static final String SWAGGER_UI = PATH + "/swagger-ui/*";
  /**
   * Scripts and styles from the gateway only; Swagger UI sets inline styles and draws its icons from data: URIs.
   * Its requests (the document, and the operations a reader tries) go to the gateway.
   */
  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  /** Swagger UI's files in its WebJar, at the version gateway/pom.xml depends on (the WebJar says which). */
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + webJarVersion();

  private DocsPage() {
  }

  /** {@code GET /docs}: the page. */
  public static void page(RoutingContext ctx) {
    secured(ctx.response()).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").sendFile("docs/index.html");
  }

  /** The page's script. */
  public static Handler<RoutingContext> assets() {
    return files(StaticHandler.create("docs"));
  }

  /** Swagger UI, from its WebJar. */
  public static Handler<RoutingContext> swaggerUi() {
    return files(StaticHandler.create(WEBJAR));
  }

  private static Handler<RoutingContext> files(StaticHandler files) {
    StaticHandler handler = files.setDirectoryListing(false);
    return ctx -> {
      secured(ctx.response());
      handler.handle(ctx);
    };
  }

  private static HttpServerResponse secured(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", POLICY).putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
  }

  private static String webJarVersion() {
    try (InputStream in = DocsPage.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("Swagger UI's WebJar (org.webjars:swagger-ui) is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
