package dev.broadcasting;

import dev.broadcasting.spi.BroadcastMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The application's view ({@link BroadcastEvent}) of broadcasts, each made when first asked for:
 * with no listener, the default gate and no failure nobody asks, and a broadcast then makes neither
 * the view nor its message's random id. Each broadcast's view is made once and shared by every
 * list that holds it.
 *
 * <pre>{@code
 * EventViews.Lazy one = new EventViews.Lazy(message, event);
 * List<BroadcastEvent> events = EventViews.of(List.of(one)); // nothing made yet
 * }</pre>
 */
final class EventViews extends AbstractList<BroadcastEvent> implements RandomAccess {
  private final List<Lazy> views;

  private EventViews(List<Lazy> views) {
    this.views = views;
  }

  /** A read-only list of the views, made as its elements are read. */
  static List<BroadcastEvent> of(List<Lazy> views) {
    return new EventViews(views);
  }

  @Override
  public BroadcastEvent get(int index) {
    return views.get(index).get();
  }

  @Override
  public int size() {
    return views.size();
  }

  /** One broadcast's view, made on first use; the first one made is the one every caller gets. */
  static final class Lazy {
    private static final VarHandle MADE;

    static {
      try {
        MADE = MethodHandles.lookup().findVarHandle(Lazy.class, "made", BroadcastEvent.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final BroadcastMessage message;
    private final Object source;
    @SuppressWarnings("unused") // through MADE
    private volatile BroadcastEvent made;

    Lazy(BroadcastMessage message, Object source) {
      this.message = message;
      this.source = source;
    }

    BroadcastEvent get() {
      BroadcastEvent view = made;
      if (view != null) {
        return view;
      }
      view = new BroadcastEvent(message.id(), message.event(), message.channels(), message.payload(),
          message.socketId(), source);
      BroadcastEvent first = (BroadcastEvent) MADE.compareAndExchange(this, null, view);
      return first != null ? first : view;
    }
  }
}
