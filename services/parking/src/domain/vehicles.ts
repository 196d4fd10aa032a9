import { normalisePlate } from '@easypark/kernel';
import { problem } from '../errors.ts';

export const vehicleTypes = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'] as const;
export type VehicleType = (typeof vehicleTypes)[number];

/** An electric vehicle's charging inlet. */
export const connectorTypes = ['CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2'] as const;
export type ConnectorType = (typeof connectorTypes)[number];

export { normalisePlate };

const platePattern = /^[\p{L}\p{N}]{1,15}$/u;

export function isValidPlate(normalised: string): boolean {
  return platePattern.test(normalised);
}

/** Normalises a plate as a client sent it, or refuses it (400 INVALID_REGISTRATION). */
export function parsePlate(raw: string): string {
  const plate = normalisePlate(raw);
  if (!isValidPlate(plate)) {
    throw problem(
      'INVALID_REGISTRATION',
      'A registration number has 1 to 15 letters or digits (spaces and dashes are ignored)',
      { errors: [{ field: 'registration_number', message: 'not a registration number' }] },
    );
  }
  return plate;
}
