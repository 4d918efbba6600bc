package io.catalogsuite.gateway.dashboard;

import io.catalogsuite.gateway.pages.StaticPage;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The dashboard's page ({@value #PATH}) and its static files, from the gateway's jar: the page, its script and
 * style, and uPlot from its WebJar. None of them holds data, so they load without a credential; the page asks for
 * the admin credential, keeps it for the tab only, and sends it in a header with its request for the
 * {@value #STREAM} (authenticated like all of {@code /admin}).
 */
public final class DashboardPage {
  public static final String PATH = "/admin/dashboard";
  public static final String ASSETS = PATH + "/assets/*";
  public static final String CHARTS = PATH + "/uplot/*";
  public static final String STREAM = PATH + "/stream";
  /** Scripts and styles from the gateway only: an injected script could read the credential. */
  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  private static final StaticPage PAGE = new StaticPage(POLICY, "dashboard/index.html");
  /** uPlot's files in its WebJar: the version is the one gateway/pom.xml depends on. */
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";

  private DashboardPage() {
  }

  /** {@code GET /admin/dashboard}: the page. */
  public static void page(RoutingContext ctx) {
    PAGE.page(ctx);
  }

  /** The page's script and style. */
  public static Handler<RoutingContext> assets() {
    return PAGE.files("dashboard");
  }

  /** uPlot, from its WebJar. */
  public static Handler<RoutingContext> charts() {
    return PAGE.files(UPLOT);
  }
}
