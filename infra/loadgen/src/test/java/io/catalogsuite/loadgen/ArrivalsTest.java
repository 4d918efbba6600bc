package io.catalogsuite.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/** The gaps of a Poisson process: exponential, with mean and standard deviation both {@code 1/rate}. */
class ArrivalsTest {
  private static final int GAPS = 100_000;
  private static final double RATE = 1_000; // per second: a mean gap of 1 ms

  @Test
  void gaps_haveTheMeanAndVarianceOfTheExponential_andPassKolmogorovSmirnov() {
    Arrivals arrivals = new Arrivals(RATE, 42, 0);
    double[] gapsMs = new double[GAPS];
    SummaryStatistics stats = new SummaryStatistics();
    for (int i = 0; i < GAPS; i++) {
      gapsMs[i] = arrivals.gapNanos() / 1e6;
      stats.addValue(gapsMs[i]);
    }
    assertThat(stats.getMean()).isCloseTo(1.0, within(0.01));
    assertThat(stats.getVariance()).isCloseTo(1.0, within(0.03)); // the exponential's variance is its mean squared
    double pValue = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new ExponentialDistribution(1.0), gapsMs);
    assertThat(pValue).as("KS p-value against Exp(mean 1 ms)").isGreaterThan(0.01);
  }

  @Test
  void gaps_areNotUniform_soTheTestCanTellADifference() {
    Arrivals arrivals = new Arrivals(RATE, 42, 0);
    double[] uniformMs = new double[GAPS];
    for (int i = 0; i < GAPS; i++) {
      uniformMs[i] = (arrivals.gapNanos() % 2_000_000) / 1e6; // folded: no longer exponential
    }
    double pValue = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new ExponentialDistribution(1.0), uniformMs);
    assertThat(pValue).isLessThan(1e-6);
  }

  @Test
  void theSameSeed_givesTheSameSchedule() {
    Arrivals a = new Arrivals(RATE, 7, 100);
    Arrivals b = new Arrivals(RATE, 7, 100);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }
}
