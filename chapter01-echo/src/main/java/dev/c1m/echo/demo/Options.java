package dev.c1m.echo.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} and {@code --flag}, for the course's
 * mains. Unknown options, missing values and malformed numbers are rejected with a message that
 * names the option, so that a typo never silently falls back to a default.
 *
 * <p>Immutable after {@link #parse}.
 */
public final class Options {

    private final Map<String, String> values;
    private final Set<String> flags;

    private Options(Map<String, String> values, Set<String> flags) {
        this.values = values;
        this.flags = flags;
    }

    /**
     * Parses {@code args}, accepting the options in {@code valued} (each followed by a value) and
     * the flags in {@code flagNames}; names are given without their leading dashes.
     *
     * @throws IllegalArgumentException naming the offending argument
     */
    public static Options parse(String[] args, List<String> valued, List<String> flagNames) {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            if (flagNames.contains(name)) {
                flags.add(name);
            } else if (valued.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return new Options(values, flags);
    }

    /**
     * Parses like {@link #parse} for a {@code main}: prints {@code usage} and exits with status 0
     * on {@code --help}, or prints the error and {@code usage} and exits with status 2.
     */
    public static Options parseOrExit(String[] args, String usage, List<String> valued, List<String> flagNames) {
        List<String> withHelp = new ArrayList<>(flagNames);
        withHelp.add("help");
        try {
            Options options = parse(args, valued, withHelp);
            if (options.flag("help")) {
                System.out.println(usage);
                System.exit(0);
            }
            return options;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
            throw e;
        }
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /** An integer option within {@code [min, max]}. */
    public int integer(String name, int defaultValue, int min, int max) {
        String text = values.get(name);
        if (text == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " needs a whole number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "option --" + name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
