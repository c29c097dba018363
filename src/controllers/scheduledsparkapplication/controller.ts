// Placeholder replaced by the real reconciler shortly.
import type { Manager } from '../../runtime/manager.ts';
import type { ScheduledControllerSettings } from './index.ts';

export function registerController(_manager: Manager, _settings: ScheduledControllerSettings): void {
  throw new Error('the ScheduledSparkApplication controller is not built yet');
}
