package io.catalogsuite.gateway.docs;

import io.catalogsuite.gateway.pages.StaticPage;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
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
  private static final StaticPage PAGE = new StaticPage(POLICY, "docs/index.html");
  /** Swagger UI's files in its WebJar, at the version gateway/pom.xml depends on (the WebJar says which). */
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + webJarVersion();

  private DocsPage() {
  }

  /** {@code GET /docs}: the page. */
  public static void page(RoutingContext ctx) {
    PAGE.page(ctx);
  }

  /** The page's script. */
  public static Handler<RoutingContext> assets() {
    return PAGE.files("docs");
  }

  /** Swagger UI, from its WebJar. */
  public static Handler<RoutingContext> swaggerUi() {
    return PAGE.files(WEBJAR);
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
