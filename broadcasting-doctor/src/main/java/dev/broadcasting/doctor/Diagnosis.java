package dev.broadcasting.doctor;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every {@link Finding} of one run of the {@link Doctor}, in the order the checks ran. A health
 * endpoint answers 200 when {@link #healthy()}, else 503, with {@link #text()} as the body.
 *
 * <pre>{@code
 * Diagnosis diagnosis = doctor.run();
 * response.status(diagnosis.healthy() ? 200 : 503).body(diagnosis.text());
 * }</pre>
 */
public record Diagnosis(List<Finding> findings) {

  public Diagnosis {
    findings = List.copyOf(findings);
  }

  /** No check failed; warnings and skipped checks do not count. */
  public boolean healthy() {
    return findings.stream().noneMatch(Finding::failed);
  }

  /** The failed findings only. */
  public List<Finding> failures() {
    return findings.stream().filter(Finding::failed).collect(Collectors.toList());
  }

  /** One {@link Finding#line()} per check, each ending with a newline. */
  public String text() {
    return findings.stream().map(f -> f.line() + "\n").collect(Collectors.joining());
  }
}
