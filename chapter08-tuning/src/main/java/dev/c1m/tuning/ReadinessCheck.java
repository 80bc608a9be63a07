package dev.c1m.tuning;

/**
 * One line of the readiness report.
 *
 * @param limit   what is checked ({@code fs.nr_open}, {@code open files (hard)})
 * @param value   its current value as read
 * @param allows  what that value means for the target, in words and numbers
 * @param verdict PASS, WARN or FAIL
 * @param fix     the exact commands or settings that change it; empty for PASS
 */
public record ReadinessCheck(String limit, String value, String allows, Verdict verdict, String fix) {
}
