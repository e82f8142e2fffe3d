package dev.stageflow.redis;

import static dev.stageflow.redis.CircuitBreaker.Permit.CALL;
import static dev.stageflow.redis.CircuitBreaker.Permit.PROBE;
import static dev.stageflow.redis.CircuitBreaker.Permit.REFUSED;
import static dev.stageflow.redis.CircuitBreaker.State.CLOSED;
import static dev.stageflow.redis.CircuitBreaker.State.HALF_OPEN;
import static dev.stageflow.redis.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private long now;
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(5), () -> now);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.acquire()).isEqualTo(CALL);
            breaker.recordFailure();
        }
    }

    private void advance(Duration duration) {
        now += duration.toNanos();
    }

    @Test
    void staysClosedBelowTheThresholdOfConsecutiveFailures() {
        fail(2);
        breaker.recordSuccess();
        fail(2);

        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.acquire()).isEqualTo(CALL);
    }

    @Test
    void opensAfterThresholdConsecutiveFailuresAndRefusesUntilTheCoolDownHasPassed() {
        fail(3);

        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.acquire()).isEqualTo(REFUSED);
        advance(Duration.ofMillis(4_999));
        assertThat(breaker.acquire()).isEqualTo(REFUSED);
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void afterTheCoolDownLetsExactlyOneProbeThrough() {
        fail(3);
        advance(Duration.ofSeconds(5));

        assertThat(breaker.acquire()).isEqualTo(PROBE);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.acquire()).isEqualTo(REFUSED);
    }

    @Test
    void aSuccessfulProbeClosesTheBreaker() {
        fail(3);
        advance(Duration.ofSeconds(5));
        breaker.acquire();

        breaker.recordSuccess();

        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.acquire()).isEqualTo(CALL);
        breaker.recordFailure();
        assertThat(breaker.state()).as("the failure count starts over").isEqualTo(CLOSED);
    }

    @Test
    void aFailedProbeReopensForAnotherFullCoolDown() {
        fail(3);
        advance(Duration.ofSeconds(5));
        breaker.acquire();

        breaker.recordFailure();

        assertThat(breaker.state()).isEqualTo(OPEN);
        advance(Duration.ofMillis(4_999));
        assertThat(breaker.acquire()).isEqualTo(REFUSED);
        advance(Duration.ofMillis(1));
        assertThat(breaker.acquire()).isEqualTo(PROBE);
    }

    @Test
    void rejectsAThresholdBelowOne() {
        assertThatThrownBy(() -> new CircuitBreaker(0, Duration.ofSeconds(1), () -> 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failureThreshold");
    }
}
