import { describe, expect, it } from 'vitest';
import { DeadTargetWatch } from '../../src/engine/dead-target.js';

describe('DeadTargetWatch', () => {
  it('gives up only after the limit with no connection and no new response', () => {
    const watch = new DeadTargetWatch(2000);
    expect(watch.check({ connectionsOpen: 0, completed: 0 }, 0)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 0 }, 1999)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 0 }, 2000)).toMatch(/no connection to the target for 2\.0s/);
  });

  it('starts over when a connection is open or a response arrived', () => {
    const watch = new DeadTargetWatch(2000);
    watch.check({ connectionsOpen: 0, completed: 0 }, 0);
    expect(watch.check({ connectionsOpen: 1, completed: 0 }, 1500)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 0 }, 2500)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 3 }, 4000)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 3 }, 5999)).toBeUndefined();
    expect(watch.check({ connectionsOpen: 0, completed: 3 }, 6000)).toBeDefined();
  });
});
