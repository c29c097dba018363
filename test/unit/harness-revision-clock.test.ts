// The submit-load bench's revision clock: the bound it gives for a revision is the earliest answer to any later
// write, never an answer to an earlier or the same write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RevisionClock } from '../../harness/revision-clock.ts';

test('a revision is committed by the earliest answer to any write of a higher revision', () => {
  const clock = new RevisionClock();
  clock.note('10', 1000);
  clock.note('30', 1300); // answered late
  clock.note('20', 1100); // noted out of order
  clock.note('40', 1200);
  assert.equal(clock.committedBy('5'), 1000);
  assert.equal(clock.committedBy('10'), 1100, 'not its own answer');
  assert.equal(clock.committedBy('25'), 1200, 'revision 40 was answered before revision 30');
  assert.equal(clock.committedBy('35'), 1200);
  assert.equal(clock.committedBy('40'), undefined, 'no later write: no bound');
  clock.note('50', 1250);
  assert.equal(clock.committedBy('40'), 1250, 'a later note extends the clock');
  assert.equal(clock.committedBy('not-a-number'), undefined);
  clock.note(undefined, 900);
  assert.equal(clock.size, 5);
});

test('answers noted in reverse revision order still bound each revision by later writes only', () => {
  const clock = new RevisionClock();
  for (const rv of [50, 40, 30, 20, 10]) clock.note(String(rv), rv * 10);
  assert.equal(clock.committedBy('25'), 300, 'writes 30, 40 and 50 are later; 30 was answered first');
  assert.equal(clock.committedBy('10'), 200);
  assert.equal(clock.committedBy('50'), undefined);
});
