// The ScheduledSparkApplication controller's entry point: the operator process calls
// registerScheduledSparkApplicationController(manager, settings) once, before starting the manager.
import type { Manager } from '../../runtime/index.ts';
import { registerController } from './controller.ts';
import type { ScheduledControllerSettings } from './settings.ts';

export type { ScheduledControllerSettings } from './settings.ts';

export function registerScheduledSparkApplicationController(
  manager: Manager,
  settings: ScheduledControllerSettings = {},
): void {
  registerController(manager, settings);
}
