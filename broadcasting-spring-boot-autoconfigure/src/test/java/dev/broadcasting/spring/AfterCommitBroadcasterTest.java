package dev.broadcasting.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spring.TransactionalBroadcasterTest.OrderShipped;
import dev.broadcasting.spring.autoconfigure.BroadcastingAutoConfigurationTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The auto-configured {@link Broadcaster} bean itself waits for the commit, against a real H2
 * database and Spring's JDBC transaction manager. The driver looks at the database from a
 * connection of its own when it publishes, so it sees whether the commit happened first.
 */
class AfterCommitBroadcasterTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all())
      .withUserConfiguration(Shop.class);

  record OrderPaid(long id) implements ShouldBroadcastAfterCommit {
    @Override
    public List<? extends Channel> broadcastOn() {
      return List.of(new PrivateChannel("orders." + id));
    }
  }

  @Test
  void anEventBroadcastInATransactionIsPublishedAfterTheCommit() {
    runner.run(context -> {
      Shop shop = context.getBean(Shop.class);
      Broadcaster broadcaster = context.getBean(Broadcaster.class);

      CompletableFuture<Void> sent = context.getBean(TransactionTemplate.class).execute(status -> {
        shop.journalCommit();
        context.getBean(JdbcTemplate.class).update("insert into orders (id, state) values (?, ?)", 1, "shipped");
        CompletableFuture<Void> future = broadcaster.broadcast(new OrderShipped(1));
        shop.journal.add("broadcast called");
        return future;
      });
      sent.get(5, TimeUnit.SECONDS);

      assertThat(shop.journal).containsExactly("broadcast called", "committed",
          "published OrderShipped, orders seen: 1");
      assertThat(shop.failures).isEmpty();
    });
  }

  @Test
  void anEventBroadcastInATransactionThatRollsBackIsNeverPublished() {
    runner.run(context -> {
      Shop shop = context.getBean(Shop.class);
      Broadcaster broadcaster = context.getBean(Broadcaster.class);

      CompletableFuture<Void> sent = context.getBean(TransactionTemplate.class).execute(status -> {
        context.getBean(JdbcTemplate.class).update("insert into orders (id, state) values (?, ?)", 2, "shipped");
        CompletableFuture<Void> future = broadcaster.toOthers("1234.5678").broadcast(new OrderShipped(2));
        status.setRollbackOnly();
        return future;
      });

      assertThat(sent).isCancelled();
      assertThat(shop.journal).isEmpty();
      assertThat(shop.failures).as("a rollback is no delivery failure").isEmpty();
      broadcaster.broadcast(new OrderShipped(3)).get(5, TimeUnit.SECONDS);
      assertThat(shop.journal).as("only the event after the rollback").containsExactly(
          "published OrderShipped, orders seen: 0");
    });
  }

  @Test
  void anEventBroadcastWhileTheCommitIsCalledBackIsStillPublished() {
    runner.run(context -> {
      Shop shop = context.getBean(Shop.class);
      Broadcaster broadcaster = context.getBean(Broadcaster.class);
      CompletableFuture<CompletableFuture<Void>> sent = new CompletableFuture<>();

      context.getBean(TransactionTemplate.class).executeWithoutResult(status -> {
        context.getBean(JdbcTemplate.class).update("insert into orders (id, state) values (?, ?)", 4, "shipped");
        // what a @TransactionalEventListener(phase = AFTER_COMMIT) that broadcasts does
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            sent.complete(broadcaster.broadcast(new OrderShipped(4)));
          }
        });
      });
      sent.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);

      assertThat(shop.journal).containsExactly("published OrderShipped, orders seen: 1");
    });
  }

  @Test
  void withAfterCommitOffOnlyMarkedEventsWait() {
    runner.withPropertyValues("broadcasting.after-commit=false").run(context -> {
      Shop shop = context.getBean(Shop.class);
      Broadcaster broadcaster = context.getBean(Broadcaster.class);

      CompletableFuture<Void> both = context.getBean(TransactionTemplate.class).execute(status -> {
        shop.journalCommit();
        context.getBean(JdbcTemplate.class).update("insert into orders (id, state) values (?, ?)", 5, "paid");
        CompletableFuture<Void> paid = broadcaster.broadcast(new OrderPaid(5));
        CompletableFuture<Void> shipped = broadcaster.broadcast(new OrderShipped(5));
        shipped.join();
        return CompletableFuture.allOf(paid, shipped);
      });
      both.get(5, TimeUnit.SECONDS);

      assertThat(shop.journal).containsExactly("published OrderShipped, orders seen: 0", "committed",
          "published OrderPaid, orders seen: 1");
    });
  }

  @Test
  void outsideATransactionAnEventIsPublishedAtOnce() {
    runner.run(context -> {
      Shop shop = context.getBean(Shop.class);
      context.getBean(Broadcaster.class).broadcast(new OrderShipped(6)).get(5, TimeUnit.SECONDS);
      assertThat(shop.journal).containsExactly("published OrderShipped, orders seen: 0");
    });
  }

  @Configuration(proxyBeanMethods = false)
  @Import(H2Transactions.class)
  static class Shop {
    final List<String> journal = new CopyOnWriteArrayList<>();
    final List<FailedBroadcast> failures = new CopyOnWriteArrayList<>();

    /** Notes the commit of the current transaction, before any broadcast is let through. */
    void journalCommit() {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          journal.add("committed");
        }
      });
    }

    @Bean
    BroadcasterCustomizer probeConnection(DataSource database) {
      BroadcastDriver probe = new BroadcastDriver() {
        @Override
        public CompletableFuture<Void> publish(BroadcastMessage message) {
          journal.add("published " + message.event() + ", orders seen: " + committedOrders(database));
          return CompletableFuture.completedFuture(null);
        }
      };
      return builder -> builder.connection("probe", probe).defaultConnection("probe");
    }

    @Bean
    BroadcastListener failures() {
      return new BroadcastListener() {
        @Override
        public void onFailed(FailedBroadcast failure) {
          failures.add(failure);
        }

        @Override
        public void onRejected(FailedBroadcast failure) {
          failures.add(failure);
        }
      };
    }

    /** The orders another connection sees: only committed ones. */
    private static int committedOrders(DataSource database) {
      try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("select count(*) from orders")) {
        rows.next();
        return rows.getInt(1);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
