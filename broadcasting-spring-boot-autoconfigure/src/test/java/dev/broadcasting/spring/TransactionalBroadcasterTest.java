package dev.broadcasting.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.spring.autoconfigure.BroadcastingAutoConfigurationTest;
import dev.broadcasting.testing.BroadcastFake;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** After-commit broadcasting against a real H2 database and Spring's JDBC transaction manager. */
class TransactionalBroadcasterTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all())
      .withUserConfiguration(Database.class);

  record OrderShipped(long id) implements ShouldBroadcast {
    @Override
    public List<? extends Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + id));
    }
  }

  @Test
  void anEventBroadcastInATransactionGoesOutAfterTheCommit() {
    runner.run(context -> {
      BroadcastFake fake = context.getBean(Database.class).fake;
      JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
      TransactionalBroadcaster broadcasts = context.getBean(TransactionalBroadcaster.class);
      AtomicReference<Integer> sentInside = new AtomicReference<>();

      CompletableFuture<Void> sent = context.getBean(TransactionTemplate.class).execute(status -> {
        jdbc.update("insert into orders (id, state) values (?, ?)", 1, "shipped");
        CompletableFuture<Void> future = broadcasts.broadcast(new OrderShipped(1));
        sentInside.set(fake.events().size());
        return future;
      });

      assertThat(sentInside.get()).as("events sent before the commit").isZero();
      assertThat(sent).isCompleted();
      fake.assertBroadcastOn(new PrivateChannel("orders.1"), OrderShipped.class);
      assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isEqualTo(1);
    });
  }

  @Test
  void anEventBroadcastInATransactionThatRollsBackNeverGoesOut() {
    runner.run(context -> {
      BroadcastFake fake = context.getBean(Database.class).fake;
      JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
      TransactionalBroadcaster broadcasts = context.getBean(TransactionalBroadcaster.class);

      CompletableFuture<Void> sent = context.getBean(TransactionTemplate.class).execute(status -> {
        jdbc.update("insert into orders (id, state) values (?, ?)", 2, "shipped");
        CompletableFuture<Void> future = broadcasts.afterCommit(b -> b.toOthers("1234.5678").broadcast(new OrderShipped(2)));
        status.setRollbackOnly();
        return future;
      });

      assertThat(sent).isCancelled();
      fake.assertNothingBroadcast();
      assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isZero();
    });
  }

  @Test
  void anEventFailingInTheTransactionsCodeRollsBackAndNeverGoesOut() {
    runner.run(context -> {
      BroadcastFake fake = context.getBean(Database.class).fake;
      JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
      TransactionalBroadcaster broadcasts = context.getBean(TransactionalBroadcaster.class);
      AtomicReference<CompletableFuture<Void>> sent = new AtomicReference<>();

      try {
        context.getBean(TransactionTemplate.class).executeWithoutResult(status -> {
          jdbc.update("insert into orders (id, state) values (?, ?)", 3, "shipped");
          sent.set(broadcasts.broadcast(new OrderShipped(3)));
          jdbc.update("insert into orders (id, state) values (?, ?)", 3, "duplicate");
        });
      } catch (org.springframework.dao.DuplicateKeyException expected) {
        // the second insert breaks the primary key; the transaction rolls back
      }

      assertThat(sent.get()).isCancelled();
      fake.assertNothingBroadcast();
      assertThat(jdbc.queryForObject("select count(*) from orders", Integer.class)).isZero();
    });
  }

  @Test
  void outsideATransactionTheEventGoesOutAtOnce() {
    runner.run(context -> {
      BroadcastFake fake = context.getBean(Database.class).fake;
      assertThat(context.getBean(TransactionalBroadcaster.class).broadcast(new OrderShipped(4))).isCompleted();
      fake.assertBroadcastTimes(OrderShipped.class, 1);
    });
  }

  @Configuration(proxyBeanMethods = false)
  @Import(H2Transactions.class)
  static class Database {
    final BroadcastFake fake = new BroadcastFake();

    @Bean
    Broadcaster broadcaster() {
      return fake.broadcaster();
    }
  }
}
