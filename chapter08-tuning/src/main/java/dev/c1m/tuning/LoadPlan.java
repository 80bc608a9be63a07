package dev.c1m.tuning;

import dev.c1m.echo.demo.Options;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything one load-generator run needs, parsed and checked from command-line arguments. Bad
 * values are rejected with an {@link IllegalArgumentException} that names the option and says
 * what was expected; combinations that cannot work (too many connections for one source /
 * destination pair) are rejected before any socket is opened.
 *
 * <p>Immutable. {@link #toArgs()} turns a plan back into arguments, which is how the supervisor
 * hands each child process its share ({@link #share}).
 *
 * @param sources      local addresses to bind before connecting, used round robin; empty: let the
 *                     kernel choose
 * @param processes    child processes to spread over; 0: as many as the descriptor limit requires
 * @param rate         echo requests per second over all connections; 0: closed loop
 * @param batchWindow  hold mode: once this process's connections are open, how long the loop pauses
 *                     after a turn with only a few ready keys, so that one wake-up reads many
 *                     replies (the pause is part of the round trips it measures); zero: none
 * @param reconnect    hold mode: replace a connection that the peer closed or reset, or whose connect failed
 * @param child        this process is a child of a supervisor: print machine-readable lines
 */
public record LoadPlan(LoadMode mode, List<InetAddress> destinations, int port, List<InetAddress> sources,
                       int connections, int connectRate, Duration hold, Duration heartbeat, HeartbeatReply heartbeatReply,
                       Duration duration, Duration warmup, int messageBytes, int rate, int step, Duration stepDuration,
                       Duration batchWindow, Duration connectTimeout, Duration replyTimeout, int processes,
                       int maxPerPair, boolean reconnect, boolean json, Path csv, boolean quiet, boolean child) {

    public static final String USAGE = """
            usage: LoadGenMain hold|echo|ramp --port N [options]
              common:
                --hosts A,B,...         destination addresses (default 127.0.0.1)
                --port N                destination port (required)
                --connections N         connections in all (default 1000)
                --connect-rate N        new connections per second, 0 = unlimited (default 5000)
                --sources auto|K|A,B    local addresses to bind before connecting: auto = as many loopback
                                        addresses from 127.0.0.2 as --max-per-pair requires, K = 127.0.0.2
                                        .. 127.0.0.(K+1), or a list; none = let the kernel choose (default auto)
                --max-per-pair N        most connections per source address (or per destination with
                                        --sources none) (default 14000)
                --processes N           child processes, 0 = as many as the descriptor limit needs (default 0)
                --connect-timeout T     (default 10s)    --reply-timeout T   (default 5s)
                --json                  print the final report as JSON instead of text
                --csv FILE              append the result as CSV rows (header written once)
                --quiet                 no progress line
              hold: --hold T (default 30s)  --heartbeat T (0 = none, default 0)
                    --step-duration T (round trips reported per step of T, default 5s)
                    --heartbeat-reply pong|echo|either (default either)  --reconnect
                    --batch-window T (after the ramp, pause T after a turn with few replies, so that
                                      one wake-up reads many; counted in the RTT; default 0 = none)
              echo: --duration T (default 10s)  --warmup T (default 2s)  --message-bytes N (default 16, at most 65,530)
                    --rate N (requests/s in all, 0 = closed loop, default 0)
              ramp: echo load on --step more connections every --step-duration T (default 5s),
                    up to --connections
              durations: 500ms, 10s, 2m, 1h
              exit status: 0, 1 if no connection was established, 2 on bad options""";

    private static final List<String> VALUED = List.of("hosts", "port", "connections", "connect-rate", "sources",
            "max-per-pair", "processes", "connect-timeout", "reply-timeout", "csv", "hold", "heartbeat",
            "heartbeat-reply", "duration", "warmup", "message-bytes", "rate", "step", "step-duration", "batch-window");
    private static final List<String> FLAGS = List.of("json", "quiet", "reconnect", "child");

    /** Parses {@code args}: the mode first, then options. */
    public static LoadPlan parse(String... args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("the first argument must be a mode: hold, echo or ramp");
        }
        LoadMode mode = switch (args[0]) {
            case "hold" -> LoadMode.HOLD;
            case "echo" -> LoadMode.ECHO;
            case "ramp" -> LoadMode.RAMP;
            default -> throw new IllegalArgumentException("unknown mode '" + args[0] + "': use hold, echo or ramp");
        };
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Options o = Options.parse(rest, VALUED, FLAGS);

        if (o.string("port", null) == null) {
            throw new IllegalArgumentException("option --port is required");
        }
        List<InetAddress> destinations = addresses("hosts", o.string("hosts", "127.0.0.1"));
        int connections = o.integer("connections", 1000, 1, 10_000_000);
        int maxPerPair = o.integer("max-per-pair", 14_000, 1, 65_535);
        int step = o.integer("step", Math.max(1, connections / 5), 1, 10_000_000);
        LoadPlan plan = new LoadPlan(mode, destinations, o.integer("port", 0, 1, 65_535),
                sources(o.string("sources", "auto"), connections, maxPerPair),
                connections, o.integer("connect-rate", 5000, 0, 10_000_000),
                duration(o, "hold", "30s"), duration(o, "heartbeat", "0s"),
                heartbeatReply(o.string("heartbeat-reply", "either")),
                duration(o, "duration", "10s"), duration(o, "warmup", "2s"),
                o.integer("message-bytes", 16, 1, LoadEngine.MAX_MESSAGE_BYTES), o.integer("rate", 0, 0, 10_000_000),
                step, duration(o, "step-duration", "5s"), duration(o, "batch-window", "0s"),
                positive("connect-timeout", duration(o, "connect-timeout", "10s")),
                positive("reply-timeout", duration(o, "reply-timeout", "5s")),
                o.integer("processes", 0, 0, 1000), maxPerPair, o.flag("reconnect"),
                o.flag("json"), o.string("csv", null) == null ? null : Path.of(o.string("csv", null)),
                o.flag("quiet"), o.flag("child"));
        plan.checkPairs();
        return plan;
    }

    /**
     * Connections one local port range has to serve: per source address when sources are bound
     * (a {@code bind()} to port 0 picks a port before it knows the destination, so one source
     * address offers one port range in all), else per destination address.
     */
    public int connectionsPerPortRange() {
        int ranges = sources.isEmpty() ? destinations.size() : sources.size();
        return (connections + ranges - 1) / ranges;
    }

    private void checkPairs() {
        if (connectionsPerPortRange() > maxPerPair) {
            throw new IllegalArgumentException(connections + " connections put " + connectionsPerPortRange()
                    + (sources.isEmpty() ? " on one destination address" : " on one source address")
                    + ", more than --max-per-pair " + maxPerPair
                    + ": add --sources (the connect rate collapses once a pair uses about half the port range)");
        }
    }

    /** Total run time this plan asks for, excluding the ramp-up of hold mode. */
    public Duration plannedDuration() {
        return switch (mode) {
            case HOLD -> hold;
            case ECHO -> warmup.plus(duration);
            case RAMP -> stepDuration.multipliedBy(steps());
        };
    }

    /** Ramp mode: how many steps reach {@link #connections()}. */
    public int steps() {
        return (connections + step - 1) / step;
    }

    /**
     * The part of this plan that child {@code index} of {@code count} runs: its share of the
     * connections, of the connect rate, of the echo rate and of the ramp step, and every
     * {@code count}-th source address (all of them if there are fewer sources than children).
     */
    public LoadPlan share(int index, int count) {
        List<InetAddress> childSources = new ArrayList<>();
        if (sources.size() >= count) {
            for (int i = index; i < sources.size(); i += count) {
                childSources.add(sources.get(i));
            }
        } else {
            childSources.addAll(sources);
        }
        return new LoadPlan(mode, destinations, port, childSources, part(connections, index, count),
                part(connectRate, index, count), hold, heartbeat, heartbeatReply, duration, warmup, messageBytes,
                part(rate, index, count), Math.max(1, part(step, index, count)), stepDuration, batchWindow, connectTimeout,
                replyTimeout, 1, maxPerPair, reconnect, false, null, true, true);
    }

    private static int part(int total, int index, int count) {
        return total / count + (index < total % count ? 1 : 0);
    }

    /** Arguments that {@link #parse} turns back into this plan. */
    public List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of(mode.name().toLowerCase(Locale.ROOT),
                "--hosts", join(destinations), "--port", "" + port,
                "--sources", sources.isEmpty() ? "none" : join(sources),
                "--connections", "" + connections, "--connect-rate", "" + connectRate,
                "--hold", hold.toMillis() + "ms", "--heartbeat", heartbeat.toMillis() + "ms",
                "--heartbeat-reply", heartbeatReply.name().toLowerCase(Locale.ROOT),
                "--duration", duration.toMillis() + "ms", "--warmup", warmup.toMillis() + "ms",
                "--message-bytes", "" + messageBytes, "--rate", "" + rate, "--step", "" + step,
                "--step-duration", stepDuration.toMillis() + "ms", "--batch-window", batchWindow.toMillis() + "ms",
                "--connect-timeout", connectTimeout.toMillis() + "ms", "--reply-timeout", replyTimeout.toMillis() + "ms",
                "--processes", "" + processes, "--max-per-pair", "" + maxPerPair));
        if (reconnect) args.add("--reconnect");
        if (json) args.add("--json");
        if (csv != null) args.addAll(List.of("--csv", csv.toString()));
        if (quiet) args.add("--quiet");
        if (child) args.add("--child");
        return args;
    }

    private static String join(List<InetAddress> addresses) {
        return String.join(",", addresses.stream().map(InetAddress::getHostAddress).toList());
    }

    /** Parses the duration option {@code name} ("500ms", "10s", "2m", "1h"; a bare number is seconds). */
    public static Duration duration(Options o, String name, String defaultValue) {
        String text = o.string(name, defaultValue).trim().toLowerCase(Locale.ROOT);
        int unitAt = 0;
        while (unitAt < text.length() && Character.isDigit(text.charAt(unitAt))) {
            unitAt++;
        }
        String unit = text.substring(unitAt);
        if (unitAt == 0 || unitAt > 12) {
            throw new IllegalArgumentException("option --" + name + " needs a duration like 500ms, 10s or 2m, got '" + text + "'");
        }
        long amount = Long.parseLong(text.substring(0, unitAt));
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s", "" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException(
                    "option --" + name + " has unknown unit '" + unit + "' in '" + text + "': use ms, s, m or h");
        };
    }

    private static Duration positive(String name, Duration value) {
        if (value.isZero()) {
            throw new IllegalArgumentException("option --" + name + " must be longer than 0");
        }
        return value;
    }

    private static HeartbeatReply heartbeatReply(String text) {
        return switch (text) {
            case "pong" -> HeartbeatReply.PONG;
            case "echo" -> HeartbeatReply.ECHO;
            case "either" -> HeartbeatReply.EITHER;
            default -> throw new IllegalArgumentException(
                    "option --heartbeat-reply must be pong, echo or either, got '" + text + "'");
        };
    }

    private static List<InetAddress> sources(String text, int connections, int maxPerPair) {
        if (text.equals("none")) {
            return List.of();
        }
        int count;
        if (text.equals("auto")) {
            count = (connections + maxPerPair - 1) / maxPerPair;
        } else if (text.chars().allMatch(Character::isDigit)) {
            count = Integer.parseInt(text);
            if (count < 1 || count > 250) {
                throw new IllegalArgumentException("option --sources must be between 1 and 250 addresses, got " + count);
            }
        } else {
            return addresses("sources", text);
        }
        List<InetAddress> loopback = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            loopback.add(address("sources", "127.0.0." + (2 + i)));
        }
        return loopback;
    }

    private static List<InetAddress> addresses(String name, String list) {
        List<InetAddress> result = new ArrayList<>();
        for (String text : list.split(",")) {
            result.add(address(name, text.trim()));
        }
        return List.copyOf(result);
    }

    private static InetAddress address(String name, String text) {
        // Only literal addresses: a host name would need a DNS lookup, and this tool is for loopback.
        if (!text.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("option --" + name + " needs IP addresses, got '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("option --" + name + " has a malformed address '" + text + "'");
        }
    }
}
