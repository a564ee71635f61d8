/** The doctor could not examine the server at all (its first `POST /exec` failed): exit 125. */
export class DoctorFailure extends Error {
  override readonly name = 'DoctorFailure';
}
