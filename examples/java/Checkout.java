// A checkout's use of promo with JDBC (pgjdbc): hold the code when the order
// is placed, confirm it when it is paid, release it when it is abandoned;
// retry the transaction on a serialization failure or deadlock; answer every
// refusal.
//   java -cp /usr/share/java/postgresql.jar Checkout.java jdbc:postgresql://localhost/shop?user=postgres
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

public class Checkout {
  static final Map<String, String> REASONS = Map.of(
      "not_found", "no such code",
      "inactive", "this code is not active",
      "not_yet_valid", "this code is not valid yet",
      "expired", "this code has expired",
      "exhausted", "this code has been used up",
      "customer_limit_reached", "you have already used this code",
      "released", "this order's use was given back; a new order needs a new key");

  interface Work<T> {
    T run() throws SQLException;
  }

  // Runs work in one transaction, again on 40001 or 40P01.
  static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException, InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        T result = work.run();
        connection.commit();
        return result;
      } catch (SQLException error) {
        connection.rollback();
        boolean retried = "40001".equals(error.getSQLState()) || "40P01".equals(error.getSQLState());
        if (!retried || attempt == 4) throw error;
        Thread.sleep(10L << attempt);
      }
    }
  }

  // One answer of redeem_promo, read inside the transaction and printed after
  // it committed (a retried attempt prints nothing).
  record Answer(String status, boolean redeemed, boolean replayed, String code, int minutesLeft, long redemptionId) {}

  // Returns the redemption's id, or null when the code was refused.
  static Long hold(Connection connection, String customer, String code, String orderKey) throws Exception {
    // The interval is a string cast in SQL (?::interval); a Java null set
    // with setNull would be SQL NULL, no hold. The minutes are computed in
    // SQL: pgjdbc returns an interval as a PGInterval object.
    String sql = "SELECT status, redeemed, redemption_id, replayed, code,"
        + " round(extract(epoch FROM hold_expires_at - now()) / 60) AS minutes_left"
        + " FROM redeem_promo(?, customer_id => ?, idempotency_key => ?, hold => ?::interval)";
    Answer answer = inTransaction(connection, () -> {
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        statement.setString(1, code);
        statement.setString(2, customer);
        statement.setString(3, orderKey);
        statement.setString(4, "15 minutes");
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          // bigint: getLong; getInt would overflow.
          return new Answer(row.getString("status"), row.getBoolean("redeemed"), row.getBoolean("replayed"),
              row.getString("code"), row.getInt("minutes_left"), row.getLong("redemption_id"));
        }
      }
    });
    if (!answer.redeemed()) {
      System.out.println(customer + ": " + code + ": refused, " + answer.status() + " ("
          + REASONS.get(answer.status()) + ")");
      return null;
    }
    if (answer.replayed()) {
      System.out.println(customer + ": the same request again is replayed: the same redemption, no second use");
    } else {
      System.out.println(customer + ": " + answer.code() + " held, the hold expires in about "
          + answer.minutesLeft() + " minutes");
    }
    return answer.redemptionId();
  }

  // confirm_promo or release_promo on a redemption hold() returned; false
  // for a refused code's null (a Long, never unboxed while null).
  static boolean call(Connection connection, String function, Long redemptionId) throws Exception {
    if (redemptionId == null) return false;
    return inTransaction(connection, () -> {
      try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?)")) {
        statement.setLong(1, redemptionId);
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          return row.getBoolean(1);
        }
      }
    });
  }

  public static void main(String[] arguments) throws Exception {
    Properties properties = new Properties();
    // Behind PgBouncer's transaction pool (1.18), a statement pgjdbc prepared
    // on one server connection is missing on the next: prepare none.
    properties.setProperty("prepareThreshold", "0");
    try (Connection connection = DriverManager.getConnection(arguments[0], properties)) {
      connection.setAutoCommit(false);
      Long ann = hold(connection, "ann", "CHECKOUT10", "order-1001");
      System.out.println(call(connection, "confirm_promo", ann) ? "ann: confirmed" : "ann: the hold had expired");
      hold(connection, "ann", "CHECKOUT10", "order-1001");  // a retry after a lost reply
      hold(connection, "ann", "CHECKOUT10", "order-1002");
      Long bob = hold(connection, "bob", "CHECKOUT10", "order-2001");
      if (call(connection, "release_promo", bob))
        System.out.println("bob: the order was abandoned: released, the use is given back");
      hold(connection, "bob", "CHECKOUT10", "order-2001");  // the released order's key again
      try (PreparedStatement statement = connection.prepareStatement(
               "SELECT current_uses, max_uses FROM promo_codes WHERE code = 'CHECKOUT10'");
           ResultSet row = statement.executeQuery()) {
        row.next();
        System.out.println("bob: CHECKOUT10 now counts " + row.getInt(1) + " of " + row.getInt(2) + " uses");
      }
      connection.commit();
      hold(connection, "cy", "NOPE", "order-3001");
      hold(connection, "cy", "SPENT", "order-3002");
      hold(connection, "cy", "checkout10", "order-3003");
    }
  }
}
