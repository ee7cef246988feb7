package io.reelvault.redis;

import io.reelvault.metering.SharedUsage;
import io.reelvault.metering.UsageMeter.Totals;
import io.reelvault.model.Area;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link SharedUsage} in one Redis string, {@value #KEY}: {@code completedAtMillis;objects,bytes;...} in area order,
 * written only over an older pass (a Lua compare, so a slow replica never replaces a newer pass with its older one).
 * Without {@code REELVAULT_REDIS_URL} nothing is shared. Blocking calls ({@link RedisCalls#call}): the usage scanner
 * runs on a worker thread. A call past the Redis deadline throws {@link RedisUnavailableException}; the scanner logs
 * it and goes on.
 */
@Singleton
public class RedisSharedUsage implements SharedUsage {
    static final String KEY = "reelvault:usage:last-pass";
    /** Sets KEYS[1] to ARGV[2] unless it holds a pass completed at or after ARGV[1] (epoch millis). */
    static final LuaScript PUBLISH_IF_NEWER = LuaScript.of("""
            local current = redis.call('GET', KEYS[1])
            if current then
              local at = tonumber(string.match(current, '^(%d+);'))
              if at and at >= tonumber(ARGV[1]) then return 0 end
            end
            redis.call('SET', KEYS[1], ARGV[2])
            return 1""");

    private static final Area[] AREAS = Area.values();

    private final Optional<RedisCalls> redis;

    @Inject
    RedisSharedUsage(RedisConnection connection) {
        this(connection.calls());
    }

    RedisSharedUsage(Optional<RedisCalls> redis) {
        this.redis = redis;
    }

    @Override
    public void publish(Pass pass) {
        redis.ifPresent(calls -> calls.call(
                PUBLISH_IF_NEWER, List.of(KEY), List.of(pass.completedAt().toEpochMilli(), encode(pass))));
    }

    @Override
    public Optional<Pass> latest() {
        return redis.flatMap(calls -> {
            Response value = calls.call(Request.cmd(Command.GET).arg(KEY));
            return value == null ? Optional.empty() : decode(value.toString());
        });
    }

    static String encode(Pass pass) {
        StringBuilder s = new StringBuilder().append(pass.completedAt().toEpochMilli());
        for (Area area : AREAS) {
            Totals t = pass.areas().get(area);
            s.append(';').append(t.objects()).append(',').append(t.bytes());
        }
        return s.toString();
    }

    /** The pass in {@code value}; empty when it is not one (another version's format: the next pass replaces it). */
    static Optional<Pass> decode(String value) {
        String[] parts = value.split(";");
        if (parts.length != AREAS.length + 1) {
            return Optional.empty();
        }
        try {
            Map<Area, Totals> areas = new EnumMap<>(Area.class);
            for (Area area : AREAS) {
                String[] numbers = parts[area.ordinal() + 1].split(",");
                areas.put(area, new Totals(Long.parseLong(numbers[0]), Long.parseLong(numbers[1])));
            }
            return Optional.of(new Pass(areas, Instant.ofEpochMilli(Long.parseLong(parts[0]))));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }
}
